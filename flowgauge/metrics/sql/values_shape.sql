-- The columns of fg_values, the one-row-per-metric-item table every *_values.sql file yields part of (no rows: it
-- is unioned with them by name, so a column a file leaves out is NULL, never missing).
SELECT
    NULL::VARCHAR AS metric_id,  -- catalogue id
    NULL::TIMESTAMP AS event_at,  -- when the item happened (UTC), what trends group by
    NULL::VARCHAR AS repo_id,
    NULL::VARCHAR AS service_id,
    NULL::VARCHAR AS actor_id,  -- the person the item is about (author, reviewer, assignee, respondent)
    NULL::VARCHAR[] AS team_ids,  -- the actor's or owner's teams at event_at
    NULL::VARCHAR AS subject,  -- survey question or sprint
    NULL::DOUBLE AS value,  -- distribution metrics: the item's value
    NULL::DOUBLE AS num,  -- ratio and rate metrics: the item's share of numerator and denominator
    NULL::DOUBLE AS den,
    NULL::VARCHAR AS reason,  -- why the item was left out; NULL when used
    NULL::VARCHAR AS flag,  -- how it was measured, when that differs from the main rule
    NULL::VARCHAR AS link_rule,  -- which linking rule tied it to a deployment or incident
    NULL::VARCHAR AS point_kind  -- point-in-time items: counted as of $end ('end'), or a week or month end
WHERE false
