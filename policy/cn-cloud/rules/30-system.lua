-- rules/30-system.lua — §1.3 业务系统 (the business system): the description, and the domain names
-- and ICP filing number of an internet-facing system (ICP number format: domain.md).

local get, text, list, contains, issue, P, ipairs, string, utf8 = get, text, list, contains, issue, P, ipairs, string, utf8
local S = P.system

rule{
  id = "SYS-001", severity = "error",
  title = { zh = string.format("功能描述至少%d个字符", S.description_min_characters),
    en = string.format("Description of at least %d characters", S.description_min_characters) },
  paths = { "/system/description" },
  source = "GB/T 22240-2020《信息安全技术 网络安全等级保护定级指南》（确定定级对象：说明系统承载的业务与功能）",
  check = function(doc)
    local d = text(get(doc, "system", "description"))
    if not d then return nil end -- FORM-REQUIRED
    local n = utf8.len(d) or #d
    if n >= S.description_min_characters then return nil end
    return issue("/system/description",
      string.format("至少需要%d个字符，当前为%d个：请说明系统的用途、功能和用户", S.description_min_characters, n),
      string.format("needs at least %d characters; it has %d: say what the system does and for whom", S.description_min_characters, n))
  end,
}

local function internet_facing(doc) return get(doc, "system", "internet_facing") == true end

rule{
  id = "SYS-002", severity = "error",
  title = { zh = "面向互联网的系统须填写域名", en = "Domain names when internet-facing" },
  paths = { "/system/domains", "/system/internet_facing" },
  source = "《互联网信息服务管理办法》第四条（互联网信息服务备案）",
  check = function(doc)
    if not internet_facing(doc) then return nil end
    for _, d in ipairs(list(get(doc, "system", "domains"))) do
      if text(d) then return nil end
    end
    return issue("/system/domains", "为必填项：系统面向互联网时须至少填写一个域名",
      "is required when the system is internet-facing: give at least one domain name")
  end,
}

rule{
  id = "SYS-003", severity = "error",
  title = { zh = "面向互联网的系统须填写ICP备案号", en = "ICP filing number when internet-facing" },
  paths = { "/system/icp_number", "/system/internet_facing" },
  source = "《互联网信息服务管理办法》第四条、第十二条（备案编号）",
  check = function(doc)
    if not internet_facing(doc) or text(get(doc, "system", "icp_number")) then return nil end
    return issue("/system/icp_number", "为必填项：系统面向互联网时须填写ICP备案号，如 " .. S.icp.example,
      "is required when the system is internet-facing, e.g. " .. S.icp.example)
  end,
}

-- 京ICP备16020626号, …号-8 (website), …号-1A (app): a province abbreviation, "ICP备", 8 or 10
-- digits, "号", and an optional "-n" or "-nA".
local function icp_well_formed(s)
  local rest
  for _, p in ipairs(S.icp.provinces) do
    if s:sub(1, #p) == p then rest = s:sub(#p + 1) break end
  end
  if not rest then return false end
  local digits, suffix = rest:match("^ICP备(%d+)号(.*)$")
  if not digits or not contains(S.icp.digit_counts, #digits) then return false end
  return suffix == "" or suffix:match("^%-%d+A?$") ~= nil
end

rule{
  id = "SYS-004", severity = "error",
  title = { zh = "ICP备案号的格式", en = "Format of the ICP filing number" },
  paths = { "/system/icp_number" },
  source = "《非经营性互联网信息服务备案管理办法》（工业和信息化部令第33号）第十三条（备案编号）",
  check = function(doc)
    local s = text(get(doc, "system", "icp_number"))
    if not s or icp_well_formed(s) then return nil end
    return issue("/system/icp_number",
      "格式不正确：“" .. s .. "”；应为省份简称 + “ICP备” + 8或10位数字 + “号”，网站或App可带后缀，如 京ICP备16020626号、京ICP备16020626号-8、京ICP备16020626号-1A",
      "is not an ICP filing number: \"" .. s .. "\"; expected a province abbreviation, \"ICP备\", 8 or 10 digits and "
        .. "\"号\", optionally followed by a website or app suffix, e.g. 京ICP备16020626号-8 or 京ICP备16020626号-1A")
  end,
}

-- A host name in ASCII (punycode for internationalised names): labels of letters, digits and
-- hyphens, 1 to 63 long, not starting or ending with a hyphen; at least two labels; a top-level
-- label that is not all digits. One pass over the bytes.
local byte = string.byte
local DOT, HYPHEN = byte("."), byte("-")
local function domain_well_formed(d)
  local n = #d
  if n == 0 or n > 253 then return false end
  local bytes = { byte(d, 1, n) }
  local labels, len, prev, digits_only = 1, 0, DOT, true
  for i = 1, n do
    local c = bytes[i]
    if c == DOT then
      if len == 0 or prev == HYPHEN then return false end
      labels, len, digits_only = labels + 1, 0, true
    else
      local digit = c >= 48 and c <= 57
      if not (digit or (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == HYPHEN) then return false end
      if (c == HYPHEN and len == 0) or len == 63 then return false end
      len = len + 1
      digits_only = digits_only and digit
    end
    prev = c
  end
  return len > 0 and prev ~= HYPHEN and labels >= 2 and not digits_only
end

rule{
  id = "SYS-005", severity = "error",
  title = { zh = "域名的格式", en = "Format of the domain names" },
  paths = { "/system/domains/*" },
  source = "RFC 1123 §2.1；RFC 1035 §2.3.1（主机名的语法）",
  check = function(doc)
    local out = {}
    for i, d in ipairs(list(get(doc, "system", "domains"))) do
      if text(d) and not domain_well_formed(d) then
        out[#out + 1] = issue(string.format("/system/domains/%d", i - 1),
          "“" .. d .. "”不是有效的域名：应为 kf.example.cn 这样的主机名（中文域名请用 punycode，不带协议、路径或端口）",
          "\"" .. d .. "\" is not a domain name: write a host name such as kf.example.cn (punycode for "
            .. "internationalised names; no scheme, path or port)")
      end
    end
    return out
  end,
}
