-- Every staged metric per group: count, median/P75/P90/mean of per-item values, and the sums behind ratios and rates.
-- Reads fg_values (already windowed to [$start, $end)); $by: none|week|month|team|repo|service|author|subject.
-- Distinct people per group are counted only for $actor_metrics (the per-person rates): counting them for every
-- metric's millions of items costs more than all the rest of this query.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
-- An item counts once for each of its teams (none: once, with a NULL key); every other grouping has one key per
-- item, and periods are grouped as dates and formatted once per group, not once per item.
keyed AS NOT MATERIALIZED (  -- read twice below; inlined, so each read keeps only what it needs
    SELECT metric_id, actor_id, value, num, den, NULL::DATE AS period,
        unnest(CASE WHEN len(coalesce(team_ids, [])) = 0 THEN [NULL::VARCHAR] ELSE team_ids END) AS key
    FROM fg_values
    WHERE $by = 'team' AND reason IS NULL AND coalesce(point_kind, 'end') = 'end'
    UNION ALL
    SELECT metric_id, actor_id, value, num, den,
        CASE WHEN $by = 'week' THEN date_trunc('week', event_at) WHEN $by = 'month' THEN date_trunc('month', event_at)
        END::DATE AS period,
        CASE
            WHEN $by = 'repo' THEN repo_id
            WHEN $by = 'service' THEN coalesce(service_id, repo_id)
            WHEN $by = 'author' THEN actor_id
            WHEN $by = 'subject' THEN subject
        END AS key
    FROM fg_values
    -- Point-in-time items (stale PRs) count at $end, and for a trend also at each period's end.
    WHERE $by <> 'team' AND reason IS NULL AND coalesce(point_kind, 'end') IN ('end', $by)
),
grouped AS (
    SELECT
        metric_id,
        key,
        period,
        count(*) AS n,
        -- One sort per group for all three quantiles.
        quantile_cont(value, [0.5, 0.75, 0.9]) AS quantiles,
        avg(value) AS mean,
        sum(num) AS num,
        sum(den) AS den
    FROM keyed
    -- A team breakdown under a team filter shows only the chosen teams.
    WHERE $by <> 'team' OR len($teams::VARCHAR[]) = 0 OR key IN (SELECT team_id FROM selected_teams)
    GROUP BY metric_id, key, period
),
people AS (
    SELECT metric_id, key, period, count(DISTINCT actor_id) AS actors
    FROM keyed
    WHERE list_contains($actor_metrics::VARCHAR[], metric_id::VARCHAR)
    GROUP BY metric_id, key, period
)
SELECT
    g.metric_id, coalesce(strftime(g.period, '%Y-%m-%d'), g.key) AS key, g.n,
    g.quantiles[1] AS median, g.quantiles[2] AS p75, g.quantiles[3] AS p90, g.mean, g.num, g.den,
    coalesce(p.actors, 0) AS actors
FROM grouped g
LEFT JOIN people p
    ON p.metric_id = g.metric_id AND p.key IS NOT DISTINCT FROM g.key AND p.period IS NOT DISTINCT FROM g.period
ORDER BY g.metric_id, key
