-- classify.lua — the derived values of a cn-cloud filing: protection level from the grading
-- matrix, filing type with its reasons (filing-form.md §2), required cross-border route
-- (domain.md), required materials (§3.2), review deadline and self-inspection interval (§4,
-- deadlines.json). Returns the function the engine calls as classify(doc, ctx); ctx.as_of and
-- ctx.filing_kind are set, ctx.derived is not yet.

local get, int, text, contains, option_label, declared_level, level, is_cii, data_facts, required_route, material_label, P, ipairs, type, tostring, string, math = get, int, text, contains, option_label, declared_level, level, is_cii, data_facts, required_route, material_label, P, ipairs, type, tostring, string, math
local G, C = P.grading, P.classification

-- The matrix level of one harm {object, degree}, or nil when incomplete.
local function harm_level(harm)
  if type(harm) ~= "table" then return nil end
  local row = G.matrix[harm.object]
  return row and int(row[harm.degree])
end

local function matrix_level(doc)
  local a = harm_level(get(doc, "grading", "business_info_harm"))
  local b = harm_level(get(doc, "grading", "service_harm"))
  if a and b then return math.max(a, b) end
end

local function reason(code, zh, en) return { code = code, zh = zh, en = en } end

local function filing_type(doc, lvl, facts)
  local S, strict = C.strict, {}
  if lvl and lvl >= S.min_level then
    strict[#strict + 1] = reason("level", string.format("安全保护等级为第%d级（第%d级及以上）", lvl, S.min_level),
      string.format("protection level %d (%d or above)", lvl, S.min_level))
  end
  if is_cii(doc) then
    strict[#strict + 1] = reason("cii_operator", "关键信息基础设施运营者", "critical information infrastructure operator")
  end
  if facts.important then
    strict[#strict + 1] = reason("important_data", "数据资源中有重要数据或核心数据", "the data inventory holds important or core data")
  end
  if facts.sensitive_individuals >= S.sensitive_pi_individuals then
    strict[#strict + 1] = reason("sensitive_pi_scale",
      string.format("敏感个人信息涉及%d人（%d人及以上）", facts.sensitive_individuals, S.sensitive_pi_individuals),
      string.format("sensitive personal information of %d individuals (%d or more)", facts.sensitive_individuals, S.sensitive_pi_individuals))
  end
  local industry = get(doc, "subject", "industry")
  if contains(S.industries, industry) then
    local zh, en = option_label("/subject/industry", industry)
    strict[#strict + 1] = reason("industry", "行业：" .. zh, "industry: " .. en)
  end
  if #strict > 0 then return "strict", strict end

  -- Simplified when every condition holds; otherwise standard, with the conditions that fail.
  local M = C.simplified
  local holds, fails = {}, {}
  local function check(ok, code, zh_ok, en_ok, zh_no, en_no)
    if ok then holds[#holds + 1] = reason(code, zh_ok, en_ok) else fails[#fails + 1] = reason(code, zh_no, en_no) end
  end
  check(lvl ~= nil and lvl <= M.max_level, "level",
    string.format("安全保护等级为第%d级（不高于第%d级）", lvl or 0, M.max_level),
    string.format("protection level %d (%d or below)", lvl or 0, M.max_level),
    lvl and string.format("安全保护等级为第%d级（高于第%d级）", lvl, M.max_level) or "安全保护等级尚未确定",
    lvl and string.format("protection level %d (above %d)", lvl, M.max_level) or "the protection level is not yet known")
  check(not facts.sensitive, "sensitive_pi", "不涉及敏感个人信息", "no sensitive personal information",
    "涉及敏感个人信息", "sensitive personal information is processed")
  local users = int(get(doc, "system", "user_scale"))
  check(users ~= nil and users < M.user_scale_below, "user_scale",
    string.format("用户规模%d人（少于%d人）", users or 0, M.user_scale_below),
    string.format("%d users (fewer than %d)", users or 0, M.user_scale_below),
    users and string.format("用户规模%d人（%d人及以上）", users, M.user_scale_below) or "用户规模未填写",
    users and string.format("%d users (%d or more)", users, M.user_scale_below) or "the user scale is not given")
  local public = get(doc, "system", "internet_facing") == true and contains(M.public_service_objects, get(doc, "system", "service_objects"))
  check(not (public and facts.personal_info), "public_personal_info",
    "未以互联网向社会公众提供涉及个人信息的服务", "no internet-facing public service with personal information",
    "面向互联网社会公众提供服务且涉及个人信息", "serves the public on the internet with personal information")
  if #fails == 0 then return "simplified", holds end
  return "standard", fails
end

-- §3.2: each entry of params.materials_matrix says when its kinds are required.
local WHEN = {
  always = function() return true end,
  level_at_least = function(e, f) return f.level ~= nil and f.level >= e.value end,
  filing_type = function(e, f) return f.filing_type == e.value end,
  industry_in = function(e, f) return contains(e.value, f.industry) end,
  sensitive_personal_info = function(e, f) return f.sensitive end,
  cross_border_not_exempt = function(e, f) return f.route ~= nil and f.route ~= "exempt" end,
  filing_kind = function(e, f) return f.filing_kind == e.value end,
}
for i, entry in ipairs(P.materials_matrix) do
  assert(WHEN[entry.when], "params.json materials_matrix[" .. i .. "]: unknown condition '" .. tostring(entry.when) .. "'")
  for _, kind in ipairs(entry.kinds) do
    assert(material_label(kind), "params.json materials_matrix[" .. i .. "]: unknown material kind '" .. kind .. "'")
  end
end

local function required_materials(facts)
  local out, seen = {}, {}
  for _, entry in ipairs(P.materials_matrix) do
    if WHEN[entry.when](entry, facts) then
      for _, kind in ipairs(entry.kinds) do
        if not seen[kind] then seen[kind] = true; out[#out + 1] = kind end
      end
    end
  end
  return out
end

local function per_type(name, ftype)
  local t = pack.deadlines[name]
  return t[ftype] or t[pack.deadlines.default_filing_type]
end

return function(doc, ctx)
  local derived_level = matrix_level(doc)
  local lvl = declared_level(doc)
  if derived_level and (not lvl or derived_level > lvl) then lvl = derived_level end
  local facts = data_facts(doc)
  local ftype, reasons = filing_type(doc, lvl, facts)
  local route = required_route(doc)
  local declared_route = text(get(doc, "compliance", "cross_border", "route"))
  local transfers = get(doc, "compliance", "cross_border", "transfers") == true
  local materials = required_materials({
    level = lvl, filing_type = ftype, industry = get(doc, "subject", "industry"), sensitive = facts.sensitive,
    route = transfers and (declared_route or route) or nil, filing_kind = ctx.filing_kind,
  })
  return {
    level = derived_level,
    filing_type = ftype,
    filing_type_reasons = reasons,
    required_materials = materials,
    cross_border_route = route,
    review_working_days = per_type("review_working_days", ftype),
    self_inspection_months = per_type("self_inspection_months", ftype),
  }
end
