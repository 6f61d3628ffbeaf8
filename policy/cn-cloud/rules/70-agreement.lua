-- rules/70-agreement.lua — §1.7 云服务协议审查 (cloud service agreement): its dates, its clauses
-- (four for every filing, eight for a strict one) and the provider's incident notice time.

local get, int, text, contains, issue, finding, is_cii, date, days_between, field_label, P, ipairs, string = get, int, text, contains, issue, finding, is_cii, date, days_between, field_label, P, ipairs, string
local A = P.agreement

rule{
  id = "AGR-001", severity = "error",
  title = { zh = "有效期须晚于签订日期", en = "Valid until after the signing date" },
  paths = { "/agreement/valid_until", "/agreement/signed_date" },
  source = "《中华人民共和国民法典》第四百六十九条、第四百九十条（合同的订立与成立）",
  check = function(doc)
    local signed, valid = text(get(doc, "agreement", "signed_date")), text(get(doc, "agreement", "valid_until"))
    if not signed or not valid or not date(signed) or not date(valid) or days_between(signed, valid) > 0 then return nil end
    return issue("/agreement/valid_until", "应晚于签订日期 " .. signed .. "，当前为 " .. valid,
      "must be after the signing date " .. signed .. "; it is " .. valid)
  end,
}

rule{
  id = "AGR-002", severity = "error",
  title = { zh = "协议不得过期", en = "Agreement not expired" },
  paths = { "/agreement/valid_until" },
  source = "GB/T 31167-2023《信息安全技术 云计算服务安全指南》（合同的有效期与续签）",
  check = function(doc, ctx)
    local valid = text(get(doc, "agreement", "valid_until"))
    if not valid or not date(valid) or days_between(ctx.as_of, valid) >= 0 then return nil end
    return issue("/agreement/valid_until", "已过期：有效期至 " .. valid .. "，早于评估日期 " .. ctx.as_of,
      "has passed: " .. valid .. " is before the as-of date " .. ctx.as_of)
  end,
}

-- One finding per clause of `keys` that the agreement says it does not include (included =
-- false; a clause not answered at all is FORM-REQUIRED's finding, since form.json requires each).
local function missing_clauses(doc, keys, why_zh, why_en)
  local out = {}
  for _, key in ipairs(keys) do
    if get(doc, "agreement", "clauses", key, "included") == false then
      local lz, le = field_label("/agreement/clauses/" .. key)
      local path = "/agreement/clauses/" .. key .. "/included"
      out[#out + 1] = finding(path, "协议条款“" .. lz .. "”（" .. path .. "）应为“是”：" .. why_zh,
        "Clause \"" .. le .. "\" (" .. path .. ") must be included: " .. why_en)
    end
  end
  return out
end

-- "数据安全、隐私保护…" and "data security, privacy protection, …" of clause keys.
local function clause_names(keys)
  local zh, en = {}, {}
  for i, key in ipairs(keys) do
    zh[i], en[i] = field_label("/agreement/clauses/" .. key)
    en[i] = en[i]:lower()
  end
  return table.concat(zh, "、"), table.concat(en, ", ")
end
local ALWAYS_ZH, ALWAYS_EN = clause_names(A.clauses_always)

rule{
  id = "AGR-003", severity = "error",
  title = { zh = "每份协议须包含的条款", en = "Clauses every agreement needs" },
  paths = { "/agreement/clauses/data_security/included", "/agreement/clauses/privacy/included",
    "/agreement/clauses/incident_handling/included", "/agreement/clauses/responsibility_split/included" },
  source = "《中华人民共和国个人信息保护法》第二十一条（委托处理的约定事项）；GB/T 31167-2023《信息安全技术 云计算服务安全指南》（合同中的安全责任）",
  check = function(doc)
    return missing_clauses(doc, A.clauses_always, "每份云服务协议都须包含以下条款：" .. ALWAYS_ZH,
      "every cloud service agreement needs these clauses: " .. ALWAYS_EN)
  end,
}

-- The clauses only a strict filing needs (AGR-003 reports the others).
local STRICT_ONLY = {}
for _, key in ipairs(A.clauses_strict) do
  if not contains(A.clauses_always, key) then STRICT_ONLY[#STRICT_ONLY + 1] = key end
end
local STRICT_ZH, STRICT_EN = clause_names(STRICT_ONLY)

rule{
  id = "AGR-004", severity = "error",
  title = { zh = "重点备案的协议须包含的其余条款", en = "Further clauses of a strict filing" },
  paths = { "/agreement/clauses/data_return_deletion/included", "/agreement/clauses/audit_rights/included",
    "/agreement/clauses/data_location/included", "/agreement/clauses/subcontracting/included" },
  source = "GB/T 31167-2023《信息安全技术 云计算服务安全指南》（合同与服务水平协议：审计、数据位置、分包、数据返还与删除）",
  check = function(doc, ctx)
    if ctx.derived.filing_type ~= "strict" then return nil end
    return missing_clauses(doc, STRICT_ONLY, "重点备案的协议还须包含以下条款：" .. STRICT_ZH,
      "the agreement of a strict filing also needs these clauses: " .. STRICT_EN)
  end,
}

local HOURS = "/agreement/incident_notice_hours"

rule{
  id = "AGR-005", severity = "error",
  title = { zh = string.format("服务商安全事件通知时限不超过%d小时", A.incident_notice_max_hours),
    en = string.format("Provider incident notice within %d hours", A.incident_notice_max_hours) },
  paths = { HOURS },
  source = "《网络安全事件报告管理办法》（国家互联网信息办公室，2025年）（报告时限）；GB/T 31167-2023《信息安全技术 云计算服务安全指南》（事件通报）",
  check = function(doc)
    local h = int(get(doc, "agreement", "incident_notice_hours"))
    if not h or h <= A.incident_notice_max_hours then return nil end
    return issue(HOURS, string.format("不能超过%d小时，当前为%d小时", A.incident_notice_max_hours, h),
      string.format("must be at most %d hours; it is %d", A.incident_notice_max_hours, h))
  end,
}

rule{
  id = "AGR-006", severity = "error",
  title = { zh = string.format("关键信息基础设施：通知时限不超过%d小时", A.incident_notice_max_hours_cii),
    en = string.format("CII operator: incident notice within %d hour(s)", A.incident_notice_max_hours_cii) },
  paths = { HOURS, "/compliance/cii_operator" },
  source = "《关键信息基础设施安全保护条例》第十八条；《网络安全事件报告管理办法》（国家互联网信息办公室，2025年）（关键信息基础设施运营者1小时内报告）",
  check = function(doc)
    local h = int(get(doc, "agreement", "incident_notice_hours"))
    if not is_cii(doc) or not h or h <= A.incident_notice_max_hours_cii then return nil end
    return issue(HOURS, string.format("不能超过%d小时：关键信息基础设施运营者的要求，当前为%d小时", A.incident_notice_max_hours_cii, h),
      string.format("must be at most %d hour(s) for a critical information infrastructure operator; it is %d",
        A.incident_notice_max_hours_cii, h))
  end,
}
