-- rules/10-subject.lua — §1.1 备案主体 (filing subject): the unified social credit code (GB 32100)
-- and the administrative region (GB/T 2260).

local get, text, issue, region_known, uscc_check = get, text, issue, region_known, uscc_check
local USCC, REGION = "/subject/uscc", "/subject/region_code"
local CHARSET = "18位，由数字和除 I、O、S、V、Z 以外的大写字母组成"

rule{
  id = "SUBJ-001", severity = "error",
  title = { zh = "统一社会信用代码的格式", en = "Format of the unified social credit code" },
  paths = { USCC },
  source = "filing-form.md §1.1; GB 32100-2015 (domain.md, Identifiers)",
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
  source = "filing-form.md §1.1; GB 32100-2015 check character (domain.md, Identifiers)",
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
  source = "filing-form.md §1.1; GB/T 2260 (domain.md, Identifiers)",
  check = function(doc)
    local code = text(get(doc, "subject", "region_code"))
    -- Six digits is the form's pattern (FORM-PATTERN); only a well-formed code is looked up.
    if not code or not code:match("^%d%d%d%d%d%d$") or region_known(code) then return nil end
    return issue(REGION, "“" .. code .. "”不是本策略包行政区划表中的代码（GB/T 2260），请填写单位所在的区县、地市或省级代码",
      "\"" .. code .. "\" is not in the pack's region table (GB/T 2260); give the code of the county, city or province")
  end,
}
