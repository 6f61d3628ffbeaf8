-- changes.lua — the classification of a change report: major (full re-review) or minor (recorded
-- at once; the authority may object within deadlines.json's change_objection_working_days), with
-- the reasons, and whether the report is late (deadlines.json change_report).
--
-- Returns the function the engine calls as changes(before, after, diff, ctx):
--   before  the filed record's document; after  the change filing's document;
--   diff    [{path, op, from?, to?}] (core/docdiff: JSON pointers, arrays by index);
--   ctx     {as_of, effective_on ("YYYY-MM-DD" or nil), reported_on (the day the report left the
--           enterprise, or the as-of day while it is still a draft)}.
-- Result: {class = "major"|"minor", reasons = {{code, zh, en}…}, report_by = day|nil,
--          late = bool, late_reason = {code, zh, en}|nil}.
--
-- Sources: 《信息安全等级保护管理办法》（公通字〔2007〕43号）第十五条 (a filed system whose level
-- or filed particulars change reports the change); 《数据出境安全评估办法》第十四条 (a change in the
-- scope or kind of data sent abroad is assessed anew). Every number and list is params.json
-- `changes` and deadlines.json `change_report`.

local get, int, text, list, declared_level, date, days_between, add_days, P, pack, ipairs, pairs, type, string, table, math =
  get, int, text, list, declared_level, date, days_between, add_days, P, pack, ipairs, pairs, type, string, table, math
local C, G = P.changes, P.grading
local R = pack.deadlines.change_report

local function reason(code, zh, en) return { code = code, zh = zh, en = en } end
local function major(code, zh_detail, en_detail)
  local m = C.major[code]
  return reason(code, zh_detail and (m.zh .. "：" .. zh_detail) or m.zh, en_detail and (m.en .. ": " .. en_detail) or m.en)
end

-- Does a diff path fall under a listed path ("*" stands for one list index)?
local function under(path, prefix)
  local pattern = "^" .. prefix:gsub("[%-%.%+%[%]%(%)%$%^%%%?]", "%%%0"):gsub("%*", "[^/]+")
  return path:find(pattern .. "$") ~= nil or path:find(pattern .. "/") ~= nil
end

local function level_of(doc)
  local function harm(h)
    if type(h) ~= "table" then return nil end
    local row = G.matrix[h.object]
    return row and int(row[h.degree])
  end
  local a, b = harm(get(doc, "grading", "business_info_harm")), harm(get(doc, "grading", "service_harm"))
  local m = a and b and math.max(a, b) or nil
  local d = declared_level(doc)
  if d and m then return math.max(d, m) end
  return d or m
end

-- The data centres as a sorted list of "country region" (their roles and names are minor).
local function locations(doc)
  local out = {}
  for _, dc in ipairs(list(get(doc, "provider", "data_centers"))) do
    if type(dc) == "table" then out[#out + 1] = (text(dc.country) or "?") .. " " .. (text(dc.region_code) or "?") end
  end
  table.sort(out)
  return table.concat(out, ", ")
end

-- The data levels and kinds of personal information of the inventory, as a set.
local function categories(doc)
  local set = {}
  for _, item in ipairs(list(get(doc, "data_security", "data_inventory"))) do
    if type(item) == "table" then
      if text(item.level) then set["level:" .. item.level] = true end
      if text(item.personal_info) and item.personal_info ~= "none" then set["pi:" .. item.personal_info] = true end
    end
  end
  return set
end

local function major_reasons(before, after, diff)
  local out, explained = {}, {}
  local function explain(prefix) explained[#explained + 1] = prefix end
  -- the provider
  for _, c in ipairs(diff) do
    for _, p in ipairs(C.major.provider.paths) do
      if under(c.path, p) then out[#out + 1] = major("provider"); break end
    end
    if #out > 0 then break end
  end
  for _, p in ipairs(C.major.provider.paths) do explain(p) end
  -- data-centre locations
  local lb, la = locations(before), locations(after)
  if lb ~= la then out[#out + 1] = major("data_centre_location", lb .. " → " .. la, lb .. " → " .. la) end
  explain("/provider/data_centers/*/region_code")
  explain("/provider/data_centers/*/country")
  -- the protection level
  local vb, va = level_of(before), level_of(after)
  if vb ~= va then
    out[#out + 1] = major("level", string.format("第%s级 → 第%s级", vb or "?", va or "?"),
      string.format("level %s → %s", vb or "?", va or "?"))
  end
  explain("/grading/level")
  explain("/grading/business_info_harm")
  explain("/grading/service_harm")
  -- new data categories
  local cb, ca, new = categories(before), categories(after), {}
  for k in pairs(ca) do if not cb[k] then new[#new + 1] = k end end
  table.sort(new)
  if #new > 0 then out[#out + 1] = major("data_categories", table.concat(new, ", "), table.concat(new, ", ")) end
  explain("/data_security/data_inventory/*/level")
  explain("/data_security/data_inventory/*/personal_info")
  -- the user scale past a threshold
  local ub, ua = int(get(before, "system", "user_scale")) or 0, int(get(after, "system", "user_scale")) or 0
  for _, t in ipairs(C.user_scale_thresholds) do
    if (ub < t) ~= (ua < t) then
      out[#out + 1] = major("user_scale", string.format("%d → %d（阈值%d）", ub, ua, t),
        string.format("%d → %d (threshold %d)", ub, ua, t))
      break
    end
  end
  -- cross-border transfer starting
  if get(before, "compliance", "cross_border", "transfers") ~= true and get(after, "compliance", "cross_border", "transfers") == true then
    out[#out + 1] = major("cross_border_start")
    explain("/compliance/cross_border")   -- the whole section is new with it
  end
  explain("/compliance/cross_border/transfers")
  return out, explained
end

-- The minor groups the diff touches, and the paths no group lists (and no major check explained).
local function minor_groups(diff, explained)
  local groups, seen, unlisted = {}, {}, {}
  for _, c in ipairs(diff) do
    local listed = false
    for _, g in ipairs(C.minor) do
      for _, p in ipairs(g.paths) do
        if under(c.path, p) then
          listed = true
          if not seen[g.code] then seen[g.code] = true; groups[#groups + 1] = reason(g.code, g.zh, g.en) end
          break
        end
      end
      if listed then break end
    end
    if not listed then
      for _, p in ipairs(explained) do if under(c.path, p) then listed = true; break end end
    end
    if not listed then unlisted[#unlisted + 1] = c.path end
  end
  return groups, unlisted
end

-- Late: a major change must reach the authority change_report.major_days_before_effective days
-- before it takes effect; a minor one within minor_days_after_effective days after.
local function lateness(class, ctx)
  local eff, rep = ctx.effective_on, ctx.reported_on or ctx.as_of
  if not (eff and date(eff) and rep and date(rep)) then return nil, false, nil end
  if class == "major" then
    local by = add_days(eff, -R.major_days_before_effective)
    local over = days_between(by, rep)
    if over <= 0 then return by, false, nil end
    return by, true, reason("major_after_effect",
      string.format("重大变更应在生效（%s）前报告，报告日期 %s 晚于期限 %s", eff, rep, by),
      string.format("a major change is reported before it takes effect (%s); reported %s, after the limit %s", eff, rep, by))
  end
  local by = add_days(eff, R.minor_days_after_effective)
  local over = days_between(by, rep)
  if over <= 0 then return by, false, nil end
  return by, true, reason("minor_late",
    string.format("一般变更应在生效（%s）后%d日内报告，报告日期 %s 已逾期%d日", eff, R.minor_days_after_effective, rep, over),
    string.format("a minor change is reported within %d days of taking effect (%s); reported %s, %d days late",
      R.minor_days_after_effective, eff, rep, over))
end

return function(before, after, diff, ctx)
  local reasons, explained = major_reasons(before, after, diff)
  local groups, unlisted = minor_groups(diff, explained)
  if #unlisted > 0 then
    local shown = {}
    for i = 1, math.min(#unlisted, 5) do shown[i] = unlisted[i] end
    local more = #unlisted > 5 and string.format(" …（共%d项）", #unlisted) or ""
    local more_en = #unlisted > 5 and string.format(" … (%d in all)", #unlisted) or ""
    reasons[#reasons + 1] = major("other", table.concat(shown, ", ") .. more, table.concat(shown, ", ") .. more_en)
  end
  local class = #reasons > 0 and "major" or "minor"
  if class == "minor" then
    if #groups > 0 then reasons = groups
    elseif #diff > 0 then reasons = { reason("no_major_item", "变更未涉及重大事项", "no major item changes") }
    else reasons = { reason("no_change", "与已备案内容相同", "the same as the filed record") } end
  end
  local by, late, why = lateness(class, ctx)
  return { class = class, reasons = reasons, report_by = by, late = late, late_reason = why }
end
