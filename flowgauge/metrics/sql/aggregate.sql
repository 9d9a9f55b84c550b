-- Every staged metric per group: count, median/P75/P90/mean of per-item values, and the sums behind ratios and rates.
-- Reads fg_values (already windowed to [$start, $end)); $by: none|week|month|team|repo|service|author|subject.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
keyed AS (
    SELECT
        metric_id, actor_id, value, num, den, reason,
        unnest(CASE
            WHEN $by = 'team' THEN CASE WHEN len(coalesce(team_ids, [])) = 0 THEN [NULL::VARCHAR] ELSE team_ids END
            WHEN $by = 'week' THEN [strftime(date_trunc('week', event_at), '%Y-%m-%d')]
            WHEN $by = 'month' THEN [strftime(date_trunc('month', event_at), '%Y-%m-%d')]
            WHEN $by = 'repo' THEN [repo_id]
            WHEN $by = 'service' THEN [coalesce(service_id, repo_id)]
            WHEN $by = 'author' THEN [actor_id]
            WHEN $by = 'subject' THEN [subject]
            ELSE [NULL::VARCHAR]
        END) AS key
    FROM fg_values
    WHERE reason IS NULL
),
grouped AS (
    SELECT
        metric_id,
        key,
        count(*) AS n,
        -- One sort per group for all three quantiles.
        quantile_cont(value, [0.5, 0.75, 0.9]) AS quantiles,
        avg(value) AS mean,
        sum(num) AS num,
        sum(den) AS den,
        count(DISTINCT actor_id) AS actors
    FROM keyed
    -- A team breakdown under a team filter shows only the chosen teams.
    WHERE $by <> 'team' OR len($teams::VARCHAR[]) = 0 OR key IN (SELECT team_id FROM selected_teams)
    GROUP BY metric_id, key
)
SELECT metric_id, key, n, quantiles[1] AS median, quantiles[2] AS p75, quantiles[3] AS p90, mean, num, den, actors
FROM grouped
ORDER BY metric_id, key
