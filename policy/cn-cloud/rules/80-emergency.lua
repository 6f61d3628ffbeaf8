-- rules/80-emergency.lua — §1.8 应急响应计划 (emergency response): the team's leader, the deadline
-- for reporting an incident to the authority (2025 measures, domain.md), the scenarios, and for
-- level ≥ 3 the recovery objectives and a recent drill.

local get, int, text, list, contains, issue, option_label, level, is_cii, within_months, P, ipairs, type, string, table = get, int, text, list, contains, issue, option_label, level, is_cii, within_months, P, ipairs, type, string, table
local M = P.emergency

rule{
  id = "EMER-001", severity = "error",
  title = { zh = "应急响应团队须有负责人", en = "Emergency team with a leader" },
  paths = { "/emergency/team" },
  source = "《中华人民共和国网络安全法》第二十五条（制定网络安全事件应急预案）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全管理机构（岗位设置）",
  check = function(doc)
    local team = list(get(doc, "emergency", "team"))
    if #team == 0 then return nil end -- FORM-REQUIRED
    for _, member in ipairs(team) do
      if type(member) == "table" and member.role == M.leader_role then return nil end
    end
    return issue("/emergency/team", "须指定一名负责人（role 为 " .. M.leader_role .. "）",
      "needs a leader (a member with role " .. M.leader_role .. ")")
  end,
}

-- The reporting limit for the subject's kind, and that kind in words.
local function report_limit(doc)
  local H = M.report_deadline_hours
  if is_cii(doc) then
    return H.cii, "关键信息基础设施运营者", "a critical information infrastructure operator"
  end
  local unit = get(doc, "subject", "unit_type")
  if contains(M.central_organ_unit_types, unit) then
    local zh, en = option_label("/subject/unit_type", unit)
    return H.central_organ, zh .. "（按中央和国家机关的时限）", "a " .. en:lower() .. " (held to the limit of central and state organs)"
  end
  return H.other, "一般单位", "an organisation that is neither a CII operator nor a state organ"
end

rule{
  id = "EMER-002", severity = "error",
  title = { zh = "向主管部门报告的时限", en = "Deadline for reporting incidents" },
  paths = { "/emergency/report_deadline_hours", "/subject/unit_type", "/compliance/cii_operator" },
  source = "《网络安全事件报告管理办法》（国家互联网信息办公室，2025年）（报告时限）",
  check = function(doc)
    local h = int(get(doc, "emergency", "report_deadline_hours"))
    if not h then return nil end
    local limit, zh, en = report_limit(doc)
    if h <= limit then return nil end
    return issue("/emergency/report_deadline_hours",
      string.format("不能超过%d小时（%s，较大及以上事件），当前为%d小时", limit, zh, h),
      string.format("must be at most %d hour(s) for %s (relatively major incidents and above); it is %d", limit, en, h))
  end,
}

local REQUIRED_ZH, REQUIRED_EN = {}, {}
for i, s in ipairs(M.required_scenarios) do
  REQUIRED_ZH[i], REQUIRED_EN[i] = option_label("/emergency/scenarios", s)
  REQUIRED_EN[i] = REQUIRED_EN[i]:lower()
end
REQUIRED_ZH, REQUIRED_EN = table.concat(REQUIRED_ZH, "、"), table.concat(REQUIRED_EN, ", ")

rule{
  id = "EMER-003", severity = "error",
  title = { zh = "预案须覆盖的场景", en = "Scenarios the plan must cover" },
  paths = { "/emergency/scenarios" },
  source = "《中华人民共和国网络安全法》第二十五条（应急预案覆盖的风险）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（应急预案管理）",
  check = function(doc)
    local have = list(get(doc, "emergency", "scenarios"))
    local mz, me = {}, {}
    for _, s in ipairs(M.required_scenarios) do
      if not contains(have, s) then
        local zh, en = option_label("/emergency/scenarios", s)
        mz[#mz + 1] = zh
        me[#me + 1] = en:lower() .. " (" .. s .. ")"
      end
    end
    if #mz == 0 then return nil end
    return issue("/emergency/scenarios", "须覆盖" .. REQUIRED_ZH .. "，缺少：" .. table.concat(mz, "、"),
      "must cover " .. REQUIRED_EN .. "; missing: " .. table.concat(me, ", "))
  end,
}

local function at_recovery_level(doc, ctx)
  local lvl = level(doc, ctx)
  return lvl and lvl >= M.recovery_min_level and lvl
end

-- EMER-004 and EMER-005: a recovery objective of a system at the recovery level within a maximum.
local function recovery_objective(id, key, max, zh_name, en_name)
  rule{
    id = id, severity = "warning",
    title = { zh = string.format("%d级及以上：%s不超过%d分钟", M.recovery_min_level, zh_name, max),
      en = string.format("Level %d and above: %s within %d minutes", M.recovery_min_level, en_name, max) },
    paths = { "/emergency/" .. key },
    source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（应急预案管理）；"
      .. "GB/T 20988-2007《信息安全技术 信息系统灾难恢复规范》（" .. (key == "rto_minutes" and "恢复时间目标" or "恢复点目标") .. "）",
    check = function(doc, ctx)
      local lvl, minutes = at_recovery_level(doc, ctx), int(get(doc, "emergency", key))
      if not lvl or not minutes or minutes <= max then return nil end
      return issue("/emergency/" .. key,
        string.format("第%d级系统宜不超过%d分钟，当前为%d分钟", lvl, max, minutes),
        string.format("should be at most %d minutes for a level %d system; it is %d", max, lvl, minutes))
    end,
  }
end

recovery_objective("EMER-004", "rto_minutes", M.rto_max_minutes, "恢复时间目标", "RTO")
recovery_objective("EMER-005", "rpo_minutes", M.rpo_max_minutes, "恢复点目标", "RPO")

rule{
  id = "EMER-006", severity = "warning",
  title = { zh = string.format("%d级及以上：%d个月内做过应急演练", M.drill_min_level, M.drill_max_months),
    en = string.format("Level %d and above: a drill within %d months", M.drill_min_level, M.drill_max_months) },
  paths = { "/emergency/last_drill" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（应急预案管理：定期演练）",
  check = function(doc, ctx)
    local lvl = level(doc, ctx)
    if not lvl or lvl < M.drill_min_level then return nil end
    local last, months = text(get(doc, "emergency", "last_drill")), M.drill_max_months
    if not last then
      return issue("/emergency/last_drill", string.format("未填写：第%d级系统应至少每%d个月演练一次", lvl, months),
        string.format("is not given: a level %d system should hold a drill at least every %d months", lvl, months))
    end
    if within_months(last, ctx.as_of, months) == false then
      return issue("/emergency/last_drill",
        string.format("为 %s，距评估日期 %s 已超过%d个月：第%d级系统应至少每%d个月演练一次", last, ctx.as_of, months, lvl, months),
        string.format("is %s, more than %d months before the as-of date %s: a level %d system should hold a drill "
          .. "at least every %d months", last, months, ctx.as_of, lvl, months))
    end
  end,
}
