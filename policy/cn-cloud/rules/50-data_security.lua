-- rules/50-data_security.lua — §1.5 数据安全 (data security): encryption at rest when the data or
-- the level calls for it, transport protocols, backup strategy by level (GB/T 22239-2019) and
-- restore tests, the number of individuals of personal-information items.

local get, int, text, tbl, list, contains, issue, option_label, field_options, level, within_months, P, ipairs, type, tostring, string, table = get, int, text, tbl, list, contains, issue, option_label, field_options, level, within_months, P, ipairs, type, tostring, string, table
local D = P.data_security
local B = D.backup

rule{
  id = "DS-001", severity = "error",
  title = { zh = "须启用存储加密的情形", en = "Encryption at rest when required" },
  paths = { "/data_security/storage_encryption/enabled" },
  source = "《中华人民共和国数据安全法》第二十七条；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全计算环境（数据保密性）",
  check = function(doc, ctx)
    if get(doc, "data_security", "storage_encryption", "enabled") == true then return nil end
    local E = D.storage_encryption
    local zh, en = {}, {}
    local lvl = level(doc, ctx)
    if lvl and lvl >= E.min_level then
      zh[#zh + 1] = string.format("安全保护等级为第%d级（第%d级及以上）", lvl, E.min_level)
      en[#en + 1] = string.format("the protection level is %d (%d or above)", lvl, E.min_level)
    end
    local important, sensitive = false, false
    for _, item in ipairs(list(get(doc, "data_security", "data_inventory"))) do
      if type(item) == "table" then
        important = important or contains(E.data_levels, item.level)
        sensitive = sensitive or contains(E.personal_info, item.personal_info)
      end
    end
    if important then zh[#zh + 1] = "有重要数据或核心数据"; en[#en + 1] = "important or core data is held" end
    if sensitive then
      zh[#zh + 1] = "有敏感个人信息或未成年人个人信息"
      en[#en + 1] = "sensitive or minors' personal information is held"
    end
    if #zh == 0 then return nil end
    return issue("/data_security/storage_encryption/enabled",
      "应为“是”：" .. table.concat(zh, "、") .. "，须启用存储加密",
      "must be true: encryption at rest is required because " .. table.concat(en, " and "))
  end,
}

rule{
  id = "DS-002", severity = "error",
  title = { zh = "存储加密的算法与密钥管理", en = "Algorithm and key management of encryption at rest" },
  paths = { "/data_security/storage_encryption/algorithm", "/data_security/storage_encryption/key_management" },
  source = "《中华人民共和国密码法》第二十七条；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全计算环境（数据保密性）、密码管理",
  check = function(doc)
    local e = tbl(get(doc, "data_security", "storage_encryption"))
    if not e or e.enabled ~= true then return nil end
    local out = {}
    for _, key in ipairs({ "algorithm", "key_management" }) do
      if not text(e[key]) then
        out[#out + 1] = issue("/data_security/storage_encryption/" .. key, "为必填项：启用存储加密时须填写",
          "is required when encryption at rest is enabled")
      end
    end
    return out
  end,
}

-- The minimum versions the form offers that are not forbidden, for the message.
local ALLOWED = {}
for _, o in ipairs(field_options("/data_security/transport_encryption/min_version")) do
  if not contains(D.forbidden_min_versions, o.value) then ALLOWED[#ALLOWED + 1] = o.value end
end
local ALLOWED_ZH = table.concat(ALLOWED, "、")
local ALLOWED_EN = table.concat(ALLOWED, ", ")

rule{
  id = "DS-003", severity = "error",
  title = { zh = "传输加密的最低版本", en = "Minimum version of encryption in transit" },
  paths = { "/data_security/transport_encryption/min_version" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全通信网络（通信传输：采用密码技术保证通信过程中数据的保密性）",
  check = function(doc)
    local v = text(get(doc, "data_security", "transport_encryption", "min_version"))
    if not v or not contains(D.forbidden_min_versions, v) then return nil end
    return issue("/data_security/transport_encryption/min_version",
      "不能为 " .. v .. "：" .. table.concat(D.forbidden_min_versions, "、") .. " 已不安全，最低版本应为 " .. ALLOWED_ZH,
      "cannot be " .. v .. ": " .. table.concat(D.forbidden_min_versions, ", ") .. " are no longer safe; the minimum must be "
        .. ALLOWED_EN)
  end,
}

rule{
  id = "DS-004", severity = "error",
  title = { zh = "备份策略须满足等级要求", en = "Backup strategy required by the level" },
  paths = { "/data_security/backup/strategy", "/grading/level" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全计算环境（数据备份恢复：按等级要求本地、异地与实时备份）",
  check = function(doc, ctx)
    local lvl = level(doc, ctx)
    local need = lvl and B.min_strategy_by_level[tostring(lvl)]
    if not need then return nil end
    local have = text(get(doc, "data_security", "backup", "strategy"))
    if have and (B.strength[have] or 0) >= B.strength[need] then return nil end
    local path = "/data_security/backup/strategy"
    local nz, ne = option_label(path, need)
    if not have then
      return issue(path, string.format("为必填项：第%d级系统至少应采用“%s”（%s）", lvl, nz, need),
        string.format("is required: a level %d system needs at least %s (%s)", lvl, ne, need))
    end
    local hz, he = option_label(path, have)
    return issue(path, string.format("应不低于“%s”（%s）：这是第%d级系统的要求，当前为“%s”", nz, need, lvl, hz),
      string.format("must be at least %s (%s), as required for level %d; it is %s", ne, need, lvl, he))
  end,
}

rule{
  id = "DS-005", severity = "warning",
  title = { zh = string.format("%d个月内做过恢复测试", B.restore_test_max_months),
    en = string.format("Restore test within %d months", B.restore_test_max_months) },
  paths = { "/data_security/backup/last_restore_test" },
  source = "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》安全运维管理（备份与恢复管理）",
  check = function(doc, ctx)
    local b = tbl(get(doc, "data_security", "backup"))
    if not b or not text(b.strategy) then return nil end
    local path, months = "/data_security/backup/last_restore_test", B.restore_test_max_months
    local last = text(b.last_restore_test)
    if not last then
      return issue(path, string.format("未填写：应至少每%d个月做一次备份恢复测试", months),
        string.format("is not given: backups should be test-restored at least every %d months", months))
    end
    if within_months(last, ctx.as_of, months) == false then
      return issue(path, string.format("为 %s，距评估日期 %s 已超过%d个月：应至少每%d个月做一次恢复测试", last, ctx.as_of, months, months),
        string.format("is %s, more than %d months before the as-of date %s: test a restore at least every %d months",
          last, months, ctx.as_of, months))
    end
  end,
}

rule{
  id = "DS-006", severity = "error",
  title = { zh = "涉及个人信息的数据须填写涉及人数", en = "Individuals of personal-information data" },
  paths = { "/data_security/data_inventory/*/individuals" },
  source = "《中华人民共和国个人信息保护法》第五十五条、第五十六条（个人信息保护影响评估）；《促进和规范数据跨境流动规定》（2024年）第七条、第八条（按个人数量确定出境途径）",
  check = function(doc)
    local out = {}
    for i, item in ipairs(list(get(doc, "data_security", "data_inventory"))) do
      if type(item) == "table" and text(item.personal_info) and item.personal_info ~= "none" and not int(item.individuals) then
        out[#out + 1] = issue(string.format("/data_security/data_inventory/%d/individuals", i - 1),
          "为必填项：涉及个人信息的数据须填写涉及的个人数量（用于确定备案类型）",
          "is required for data with personal information (the filing type depends on it)")
      end
    end
    return out
  end,
}
