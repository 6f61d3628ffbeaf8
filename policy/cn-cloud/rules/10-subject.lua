-- rules/10-subject.lua — §1.1 备案主体 (filing subject): the unified social credit code (GB 32100)
-- and the administrative region (GB/T 2260); the contacts' phone numbers and e-mail addresses.

local get, text, list, issue, region_known, uscc_check = get, text, list, issue, region_known, uscc_check
local ipairs, type, string = ipairs, type, string
local USCC, REGION = "/subject/uscc", "/subject/region_code"
local CHARSET = "18位，由数字和除 I、O、S、V、Z 以外的大写字母组成"

rule{
  id = "SUBJ-001", severity = "error",
  title = { zh = "统一社会信用代码的格式", en = "Format of the unified social credit code" },
  paths = { USCC },
  source = "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》（代码结构与字符集）",
  check = function(doc)
    local code = text(get(doc, "subject", "uscc"))
    if not code then return nil end
    local r = uscc_check(code)
    if r.status == "length" or r.status == "char" then
      return issue(USCC, "格式不正确：" .. r.zh .. "（应为" .. CHARSET .. "）",
        "is not a well-formed code: " .. r.en .. " (18 characters: digits and capital letters except I, O, S, V, Z)")
    end
  end,
}

rule{
  id = "SUBJ-002", severity = "error", overridable = true,
  title = { zh = "统一社会信用代码的校验码", en = "Check character of the unified social credit code" },
  paths = { USCC },
  source = "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》（校验码）",
  check = function(doc)
    local code = text(get(doc, "subject", "uscc"))
    if not code then return nil end
    local r = uscc_check(code)
    if r.status == "check" then
      return issue(USCC,
        "校验码不正确：" .. r.zh .. "。请核对营业执照；如营业执照上的代码确实如此，可申请例外（说明理由并附营业执照），经审核同意后降为警告",
        "fails the GB 32100 check: " .. r.en .. ". Compare it with the business licence; if the licence really "
          .. "bears this code, ask for an override (with a reason and the business licence): once accepted it becomes a warning")
    end
  end,
}

rule{
  id = "SUBJ-003", severity = "error",
  title = { zh = "行政区划代码须在区划表中", en = "Region code must be known" },
  paths = { REGION },
  source = "GB/T 2260《中华人民共和国行政区划代码》",
  check = function(doc)
    local code = text(get(doc, "subject", "region_code"))
    -- Six digits is the form's pattern (FORM-PATTERN); only a well-formed code is looked up.
    if not code or not code:match("^%d%d%d%d%d%d$") or region_known(code) then return nil end
    return issue(REGION, "“" .. code .. "”不是本策略包行政区划表中的代码（GB/T 2260），请填写单位所在的区县、地市或省级代码",
      "\"" .. code .. "\" is not in the pack's region table (GB/T 2260); give the code of the county, city or province")
  end,
}

-- Contacts: notices and emergency calls go to these numbers and addresses, so they must be ones
-- that can be reached. Mainland numbers follow the numbering plan: a mobile number is 11 digits
-- starting 1[3-9]; a landline is the area code (0 + 2 or 3 digits) and a 7- or 8-digit subscriber
-- number, with an optional extension; 400/800 numbers are national service numbers. Spaces and
-- hyphens between groups are allowed, and +86 / 0086 before a mobile number or an area code
-- without its 0.
local PHONES = {
  { "subject", "legal_representative" }, { "subject", "security_officer" },
  { "subject", "data_security_officer" }, { "subject", "filing_contact" },
}
local EMAILS = { { "subject", "security_officer" }, { "subject", "data_security_officer" }, { "subject", "filing_contact" } }

local function phone_ok(raw)
  local s = raw:gsub("[%s%-]", "")
  local ext = s:match("^.-转(%d+)$") or s:match("^.-ext%.?(%d+)$")
  if ext then
    if #ext > 6 then return false end
    s = s:gsub("转%d+$", ""):gsub("ext%.?%d+$", "")
  end
  local national = s:match("^%+86(%d+)$") or s:match("^0086(%d+)$")
  if national then
    if national:match("^1[3-9]%d%d%d%d%d%d%d%d%d$") then return true end
    s = "0" .. national                      -- +86 10 6512 8800 → 010 6512 8800
  end
  if s:match("^1[3-9]%d%d%d%d%d%d%d%d%d$") then return true end
  if s:match("^[48]00%d%d%d%d%d%d%d$") then return true end
  -- 0 + area code of 2 or 3 digits + 7 or 8 digits: 10 to 12 digits in all, not starting 00
  return s:match("^0[1-9]%d+$") ~= nil and #s >= 10 and #s <= 12
end

local function email_ok(s)
  if #s > 254 then return false end
  local localpart, domain = s:match("^([^@]+)@([^@]+)$")
  if not localpart or #localpart > 64 or not localpart:match("^[%w!#$%%&'*+/=?^_`{|}~.-]+$")
    or localpart:sub(1, 1) == "." or localpart:sub(-1) == "." or localpart:find("..", 1, true) then
    return false
  end
  local labels = 0
  for label in (domain .. "."):gmatch("([^.]*)%.") do
    if #label == 0 or #label > 63 or not label:match("^[%w-]+$") or label:sub(1, 1) == "-" or label:sub(-1) == "-" then
      return false
    end
    labels = labels + 1
  end
  return labels >= 2 and domain:match("%.(%a[%w-]*)$") ~= nil
end

rule{
  id = "SUBJ-004", severity = "error",
  title = { zh = "联系电话须为可拨打的大陆号码", en = "Contact phones must be mainland numbers that can be dialled" },
  paths = { "/subject/legal_representative/phone", "/subject/security_officer/phone",
    "/subject/data_security_officer/phone", "/subject/filing_contact/phone", "/emergency/team/*/phone" },
  source = "《电信网编号计划（2017年版）》（工业和信息化部）：移动电话号码、固定电话区号与用户号码",
  check = function(doc)
    local out = {}
    local function check(path, value)
      local s = text(value)
      if s and not phone_ok(s) then
        out[#out + 1] = issue(path, "“" .. s .. "”不是有效的电话号码：手机为1开头的11位数字，固定电话为区号加7至8位号码（如 010-65128800），可带分机号",
          "\"" .. s .. "\" is not a phone number that can be dialled: a mobile number is 11 digits starting with 1, a "
            .. "landline is the area code and 7 or 8 digits (e.g. 010-65128800), optionally with an extension")
      end
    end
    for _, p in ipairs(PHONES) do
      local person = get(doc, p[1], p[2])
      if type(person) == "table" then check("/" .. p[1] .. "/" .. p[2] .. "/phone", person.phone) end
    end
    for i, member in ipairs(list(get(doc, "emergency", "team"))) do
      if type(member) == "table" then check(string.format("/emergency/team/%d/phone", i - 1), member.phone) end
    end
    return out
  end,
}

rule{
  id = "SUBJ-005", severity = "error",
  title = { zh = "电子邮箱须为有效地址", en = "E-mail addresses must be valid" },
  paths = { "/subject/security_officer/email", "/subject/data_security_officer/email", "/subject/filing_contact/email" },
  source = "RFC 5322 §3.4.1 (addr-spec); RFC 5321 §4.5.3.1 (size limits)",
  check = function(doc)
    local out = {}
    for _, p in ipairs(EMAILS) do
      local person = get(doc, p[1], p[2])
      local s = type(person) == "table" and text(person.email)
      if s and not email_ok(s) then
        local path = "/" .. p[1] .. "/" .. p[2] .. "/email"
        out[#out + 1] = issue(path, "“" .. s .. "”不是有效的电子邮箱地址（形如 name@example.cn）",
          "\"" .. s .. "\" is not a valid e-mail address (of the form name@example.cn)")
      end
    end
    return out
  end,
}
