-- Why items were left out (reason), how they were measured (flag) and linked (link_rule), counted per metric.
-- Reads fg_values, already windowed to [$start, $end); point-in-time items (stale PRs) count as of $end only.
SELECT metric_id, 'exclusion' AS kind, reason AS note, count(*) AS n
FROM fg_values WHERE reason IS NOT NULL AND coalesce(point_kind, 'end') = 'end' GROUP BY ALL
UNION ALL
SELECT metric_id, 'flag', flag, count(*) FROM fg_values WHERE reason IS NULL AND flag IS NOT NULL AND coalesce(point_kind, 'end') = 'end' GROUP BY ALL
UNION ALL
SELECT metric_id, 'link', link_rule, count(*) FROM fg_values WHERE reason IS NULL AND link_rule IS NOT NULL AND coalesce(point_kind, 'end') = 'end' GROUP BY ALL
ORDER BY metric_id, kind, n DESC, note
