-- Per PR waiting for review or open too long: the items of the "how unblocked" signals, read from fg_selected_prs
-- (pr_selection.sql, over fg_pr_facts). Window: waiting, ready for review in [$start, $end); stale, open at $end,
-- and for trends at the end of each week and month in the window, marked by point_kind.
WITH prs AS NOT MATERIALIZED (
    -- Read twice below, each with its own condition: inlined, each read scans only what it needs.
    SELECT * FROM fg_selected_prs($teams::VARCHAR[], $repos::VARCHAR[], $services::VARCHAR[], $include_bots, $origins::VARCHAR[])
),
-- Waiting: from ready until first review, else until closed, else until $end.
waiting_items AS (
    SELECT ready_at AS event_at, repo_id, service_id, author_id AS actor_id, team_ids,
        {num: (epoch(coalesce(review_at, closed_at, merged_at, $end)) - epoch(ready_at) > 24 * 3600)::INTEGER, den: 1,
            reason: bot_reason} AS waiting_for_review_rate
    FROM prs
    WHERE ready_at >= $start AND ready_at < $end
),
-- Stale PRs are counted at a moment: $end for the window's value ('end'), and each week and month boundary inside
-- the window for trends. event_at is just before that moment, so a trend groups it in the period the moment closes.
-- Period ends only for the groupings asked for ($point_kinds): each point repeats every PR open at it.
stale_points AS (
    SELECT $end AS as_of, 'end' AS point_kind
    UNION ALL
    SELECT range, 'week' FROM range(date_trunc('week', $start::TIMESTAMP) + INTERVAL 7 DAY, $end, INTERVAL 7 DAY)
    WHERE list_contains($point_kinds::VARCHAR[], 'week')
    UNION ALL
    SELECT range, 'month' FROM range(date_trunc('month', $start::TIMESTAMP) + INTERVAL 1 MONTH, $end, INTERVAL 1 MONTH)
    WHERE list_contains($point_kinds::VARCHAR[], 'month')
),
stale_items AS (
    SELECT s.as_of - INTERVAL 1 MICROSECOND AS event_at, p.repo_id, p.service_id, p.author_id AS actor_id, p.team_ids,
        s.point_kind, {num: 1, reason: p.bot_reason} AS stale_open_prs
    -- Only PRs open for more than 7 days can ever be stale (implied by the join below, which then has far fewer rows).
    FROM (SELECT * FROM prs WHERE coalesce(closed_at, merged_at, $end) > created_at + INTERVAL 7 DAY) p
    JOIN stale_points s
        ON p.created_at < s.as_of - INTERVAL 7 DAY
        AND (coalesce(p.closed_at, p.merged_at) IS NULL OR coalesce(p.closed_at, p.merged_at) >= s.as_of)
)
SELECT *, NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind FROM waiting_items
UNION ALL BY NAME
SELECT *, NULL::VARCHAR AS subject FROM stale_items
