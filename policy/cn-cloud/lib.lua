-- lib.lua — helpers shared by the cn-cloud rules (rules/*.lua) and classification (classify.lua).
--
-- Loaded first, into the same environment; the globals it sets are frozen with the rest once
-- the pack has loaded. Every reader here tolerates a malformed document: a value of the wrong
-- type reads as "not filled" (the schema checks, FORM-*, already report the type), so that a rule
-- stays quiet rather than failing on input it does not own. The numbers live in params.json (P).
--
-- Speed: globals live in a read-only environment, where each lookup costs an indirection, so the
-- helpers are written as locals (upvalues are the fastest access Lua has) and exported at the
-- end; a rule file copies the ones it uses into locals on its first line.

local type, ipairs, tostring, select = type, ipairs, tostring, select
local mtype, max = math.type, math.max
local find, match, gsub, format, byte = string.find, string.match, string.gsub, string.format, string.byte
local concat = table.concat
local get, field_label = get, field_label
local date, days_between, add_months = date, days_between, add_months

local P = pack.params
local EMPTY = {}

-- Typed readers: the value when it has the type, else nil.
local function int(v) if mtype(v) == "integer" then return v end end
local function text(v)
  if type(v) == "string" and ((byte(v) or 32) > 32 or find(v, "%S")) then return v end
end
local function bool(v) if type(v) == "boolean" then return v end end
local function tbl(v) if type(v) == "table" then return v end end
-- A list to iterate over with ipairs: the value when it is a table, else an empty list.
local function list(v) if type(v) == "table" then return v end return EMPTY end

local function contains(t, x)
  for _, v in ipairs(t) do if v == x then return true end end
  return false
end

-- A set {x = true} of a list, for lookups in hot paths.
local function set_of(t)
  local s = {}
  for _, v in ipairs(t) do s[v] = true end
  return s
end

-- ", "-joined strings of a list (for messages).
local function join(t, sep)
  local out = {}
  for i, v in ipairs(t) do out[i] = tostring(v) end
  return concat(out, sep or ", ")
end

-- The form's label of the field at path (zh, en); the last key when the form has none. A field
-- inside an object is named with its parent ("存储加密 › 已启用", "Encryption at rest › Enabled"),
-- since labels like "Enabled" or "Done" say little alone; sections are not prefixed.
local function label(path)
  local zh, en = field_label(path)
  if not zh then
    local key = match(path, "([^/]*)$")
    return key, key
  end
  if find(path, "/%d+$") then return zh, en end -- an entry of a list: the list's label
  local parent = gsub(gsub(path, "/[^/]*$", ""), "/%d+$", "")
  if select(2, gsub(parent, "/", "")) >= 2 then
    local pz, pe = field_label(parent)
    if pz then return pz .. " › " .. zh, pe .. " › " .. en end
  end
  return zh, en
end

-- A finding at path. zh and en continue a sentence that starts with the field's label and path,
-- in the style of the schema's messages: "<标签>（<路径>）<zh>" and "<Label> (<path>) <en>".
local function issue(path, zh, en)
  local lz, le = label(path)
  return { path = path, message = { zh = lz .. "（" .. path .. "）" .. zh, en = le .. " (" .. path .. ") " .. en } }
end

-- A finding whose whole message is given (no label prefix).
local function finding(path, zh, en, severity)
  return { path = path, message = { zh = zh, en = en }, severity = severity }
end

-- The option label of an enum field's value: option_label("/subject/industry", "banking") → zh, en.
local function find_def(defs, key)
  for _, d in ipairs(defs) do if d.key == key then return d end end
end
-- The options {value, label} of the enum field at path, or an empty list.
local function field_options(path)
  local defs, def = pack.form.sections, nil
  for key in path:gmatch("[^/]+") do
    if not find(key, "^%d+$") then
      def = find_def(defs, key)
      if not def then return EMPTY end
      defs = def.fields or EMPTY
    end
  end
  return def and def.options or EMPTY
end
local function option_label(path, value)
  for _, o in ipairs(field_options(path)) do
    if o.value == value then return o.label.zh, o.label.en end
  end
  return tostring(value), tostring(value)
end

-- ---- facts of a filing used by several rules ----------------------------------------------

-- The protection level the filer declared (1..5), or nil.
local function declared_level(doc)
  local l = int(get(doc, "grading", "level"))
  if l and l >= 1 and l <= 5 then return l end
end

-- The level requirements apply at: the higher of the declared level and the level the grading
-- matrix gives (ctx.derived.level), whichever are known. A wrong declaration is GRAD-001's
-- business; it must not also lower what the other rules ask for.
-- Worked out once per evaluation and kept in ctx.effective_level (false: unknown).
local function level(doc, ctx)
  local l = ctx.effective_level
  if l == nil then
    local d, m = declared_level(doc), ctx.derived and ctx.derived.level
    l = (d and m and max(d, m)) or d or m or false
    ctx.effective_level = l
  end
  return l or nil
end

local function is_cii(doc) return get(doc, "compliance", "cii_operator") == true end

-- Data inventory facts: any personal information, any sensitive personal information (and the
-- largest number of individuals of one sensitive item: items overlap, so they are not added up),
-- any important or core data.
local SENSITIVE = set_of(P.data_security.sensitive_personal_info)
local STRICT_DATA = set_of(P.classification.strict.data_levels)
local function data_facts(doc)
  local f = { personal_info = false, sensitive = false, sensitive_individuals = 0, important = false }
  for _, item in ipairs(list(get(doc, "data_security", "data_inventory"))) do
    if type(item) == "table" then
      local pi = item.personal_info
      if text(pi) and pi ~= "none" then f.personal_info = true end
      if SENSITIVE[pi] then
        f.sensitive = true
        f.sensitive_individuals = max(f.sensitive_individuals, int(item.individuals) or 0)
      end
      if STRICT_DATA[item.level] then f.important = true end
    end
  end
  return f
end

-- The cross-border route the thresholds require (domain.md, 2024 rules), and a function giving
-- the reason as {zh, en} (built only when a message needs it); nil when the filing declares no
-- transfer abroad.
local T = P.cross_border
local SA, CC = T.security_assessment, T.contract_or_certification
local function required_route(doc)
  local cb = tbl(get(doc, "compliance", "cross_border"))
  if not cb or cb.transfers ~= true then return nil end
  local pi = int(cb.pi_individuals_this_year) or 0
  local spi = int(cb.sensitive_pi_individuals_this_year) or 0
  if SA.cii_operator and is_cii(doc) then
    return "security_assessment", function()
      return { zh = "关键信息基础设施运营者向境外提供数据", en = "a CII operator transfers data abroad" }
    end
  elseif SA.important_data and cb.important_data == true then
    return "security_assessment", function()
      return { zh = "向境外提供重要数据", en = "important data is transferred abroad" }
    end
  elseif pi >= SA.pi_individuals then
    return "security_assessment", function()
      return { zh = format("本年度出境个人信息达%d人（≥%d）", pi, SA.pi_individuals),
        en = format("personal information of %d individuals this year (≥ %d)", pi, SA.pi_individuals) }
    end
  elseif spi >= SA.sensitive_pi_individuals then
    return "security_assessment", function()
      return { zh = format("本年度出境敏感个人信息达%d人（≥%d）", spi, SA.sensitive_pi_individuals),
        en = format("sensitive personal information of %d individuals this year (≥ %d)", spi, SA.sensitive_pi_individuals) }
    end
  elseif pi >= CC.pi_individuals then
    return "standard_contract", function()
      return { zh = format("本年度出境个人信息%d人（%d至%d）", pi, CC.pi_individuals, SA.pi_individuals - 1),
        en = format("personal information of %d individuals this year (%d to %d)", pi, CC.pi_individuals, SA.pi_individuals - 1) }
    end
  elseif spi >= CC.sensitive_pi_individuals then
    return "standard_contract", function()
      return { zh = format("本年度出境敏感个人信息%d人（不足%d）", spi, SA.sensitive_pi_individuals),
        en = format("sensitive personal information of %d individuals this year (under %d)", spi, SA.sensitive_pi_individuals) }
    end
  end
  return "exempt", function() return { zh = "出境规模低于申报门槛", en = "below every threshold" } end
end

-- Is a date (string) at most `months` months before as_of? nil when the date is not a real day.
local function within_months(day, as_of, months)
  if not date(day) then return nil end
  return days_between(add_months(as_of, -months), day) >= 0
end

-- ---- exports --------------------------------------------------------------------------------
_ENV.P, _ENV.EMPTY = P, EMPTY
_ENV.int, _ENV.text, _ENV.bool, _ENV.tbl, _ENV.list = int, text, bool, tbl, list
_ENV.contains, _ENV.set_of, _ENV.join = contains, set_of, join
_ENV.label, _ENV.issue, _ENV.finding = label, issue, finding
_ENV.field_options, _ENV.option_label = field_options, option_label
_ENV.declared_level, _ENV.level, _ENV.is_cii = declared_level, level, is_cii
_ENV.data_facts, _ENV.required_route, _ENV.within_months = data_facts, required_route, within_months
