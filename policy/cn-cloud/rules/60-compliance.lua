-- rules/60-compliance.lua — §1.6 合规性审查 (compliance): transfers of data abroad — that they are
-- declared, their scale, the legal route the 2024 thresholds require (domain.md), and the route's
-- reference number and validity.

local get, int, text, bool, tbl, list, issue, option_label, required_route, date, days_between, P, ipairs, type, string, table = get, int, text, bool, tbl, list, issue, option_label, required_route, date, days_between, P, ipairs, type, string, table
local T = P.cross_border
local CB = "/compliance/cross_border"

local function cross_border(doc) return tbl(get(doc, "compliance", "cross_border")) end
local function transfers(doc) local cb = cross_border(doc) return cb and cb.transfers == true end

rule{
  id = "COMP-001", severity = "error",
  title = { zh = "跨境数据流须申报数据出境", en = "Declare transfers abroad that the data flows show" },
  paths = { CB .. "/transfers", "/system/data_flows/*/crosses_border", "/data_security/data_inventory/*/in_china" },
  source = "《中华人民共和国个人信息保护法》第三十八条（向境外提供个人信息的条件）；《促进和规范数据跨境流动规定》（2024年）",
  check = function(doc)
    if transfers(doc) then return nil end
    local zh, en = {}, {}
    for i, f in ipairs(list(get(doc, "system", "data_flows"))) do
      if type(f) == "table" and f.crosses_border == true then
        zh[#zh + 1] = string.format("数据流向第%d项跨境", i)
        en[#en + 1] = string.format("data flow %d crosses the border", i)
      end
    end
    for i, item in ipairs(list(get(doc, "data_security", "data_inventory"))) do
      if type(item) == "table" and item.in_china == false then
        zh[#zh + 1] = string.format("数据资源第%d项存储在境外", i)
        en[#en + 1] = string.format("data item %d is stored outside China", i)
      end
    end
    if #zh == 0 then return nil end
    return issue(CB .. "/transfers", "应为“是”：" .. table.concat(zh, "，") .. "，应按数据出境申报",
      "must be true: " .. table.concat(en, ", ") .. ", so the transfer abroad must be declared")
  end,
}

rule{
  id = "COMP-002", severity = "error",
  title = { zh = "数据出境的规模", en = "Scale of the transfer abroad" },
  paths = { CB .. "/pi_individuals_this_year", CB .. "/sensitive_pi_individuals_this_year", CB .. "/important_data" },
  source = "《促进和规范数据跨境流动规定》（2024年）第七条、第八条（出境数据的规模与途径）",
  check = function(doc)
    local cb = cross_border(doc)
    if not cb or cb.transfers ~= true then return nil end
    local out = {}
    for _, key in ipairs({ "pi_individuals_this_year", "sensitive_pi_individuals_this_year" }) do
      if not int(cb[key]) then
        out[#out + 1] = issue(CB .. "/" .. key, "为必填项：向境外提供数据时须填写本年度（自1月1日起累计）的人数，没有则填 0",
          "is required when data goes abroad: the number of individuals since 1 January (0 if none)")
      end
    end
    if bool(cb.important_data) == nil then
      out[#out + 1] = issue(CB .. "/important_data", "为必填项：向境外提供数据时须说明是否涉及重要数据",
        "is required when data goes abroad: say whether important data is transferred")
    end
    return out
  end,
}

rule{
  id = "COMP-003", severity = "error",
  title = { zh = "出境途径须满足规模要求", en = "Cross-border route as strong as the thresholds require" },
  paths = { CB .. "/route" },
  source = "《促进和规范数据跨境流动规定》（2024年）第七条、第八条；《数据出境安全评估办法》第四条",
  check = function(doc)
    local need, reason = required_route(doc)
    if not need then return nil end
    local have = text(get(doc, "compliance", "cross_border", "route"))
    if have and (T.strength[have] or 0) >= T.strength[need] then return nil end
    local why, path = reason(), CB .. "/route"
    local nz, ne = option_label(path, need)
    if not have then
      return issue(path, string.format("为必填项：向境外提供数据时须填写出境途径；按申报规模（%s）至少应为“%s”", why.zh, nz),
        string.format("is required when data goes abroad; by the declared scale (%s) it must be at least %s", why.en, ne))
    end
    local hz, he = option_label(path, have)
    local alt_zh, alt_en = "", ""
    if need == "standard_contract" then alt_zh, alt_en = "或“认证”", " or certification" end
    return issue(path, string.format("应不低于“%s”%s：%s；当前为“%s”", nz, alt_zh, why.zh, hz),
      string.format("must be at least %s%s because %s; it is %s", ne, alt_en, why.en, he))
  end,
}

local function route_needs_documents(doc)
  local cb = cross_border(doc)
  return cb and cb.transfers == true and text(cb.route) and cb.route ~= "exempt" and cb
end

rule{
  id = "COMP-004", severity = "error",
  title = { zh = "出境途径的编号与有效期", en = "Reference and validity of the cross-border route" },
  paths = { CB .. "/reference_number", CB .. "/valid_until" },
  source = "《数据出境安全评估办法》第十四条（评估结果的有效期）；《个人信息出境标准合同办法》第七条（备案）",
  check = function(doc)
    local cb = route_needs_documents(doc)
    if not cb then return nil end
    local out = {}
    if not text(cb.reference_number) then
      out[#out + 1] = issue(CB .. "/reference_number", "为必填项：除豁免外，须填写安全评估、标准合同备案或认证的编号",
        "is required unless the route is exempt: the number of the assessment, contract filing or certificate")
    end
    if not text(cb.valid_until) then
      out[#out + 1] = issue(CB .. "/valid_until", "为必填项：除豁免外，须填写出境途径的有效期",
        "is required unless the route is exempt: until when the route is valid")
    end
    return out
  end,
}

rule{
  id = "COMP-005", severity = "error",
  title = { zh = "出境途径不得过期", en = "Cross-border route not expired" },
  paths = { CB .. "/valid_until" },
  source = "《数据出境安全评估办法》第十四条；《促进和规范数据跨境流动规定》（2024年）（有效期届满须重新申报）",
  check = function(doc, ctx)
    local cb = route_needs_documents(doc)
    local v = cb and text(cb.valid_until)
    if not v or not date(v) or days_between(ctx.as_of, v) >= 0 then return nil end
    return issue(CB .. "/valid_until", "已过期：有效期至 " .. v .. "，早于评估日期 " .. ctx.as_of .. "，须重新办理",
      "has passed: " .. v .. " is before the as-of date " .. ctx.as_of .. "; the route must be renewed")
  end,
}
