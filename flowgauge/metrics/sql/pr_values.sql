-- Per-PR items of the flow, lead time, PR hygiene and "how unblocked" metrics, read from fg_pr_facts (pr_facts.sql).
-- Window: merged in [$start, $end) (waiting: ready in the window; stale: open at $end, and for trends at the end of
-- each week and month in the window, marked by point_kind); reason says why an item has no value.
-- A merged PR is one row measuring every flow metric at once (see aggregation.py for the row shape).
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
prs AS NOT MATERIALIZED (
    -- Read three times below, each with its own window condition, straight from the facts: inlined, each read
    -- scans only the columns and (facts being in event order) the row groups it needs, with nothing staged.
    SELECT
        repo_id, service_id, author_id, p.team_ids, event_at, ready_at, created_at, merged_at, closed_at,
        first_commit_at, review_at, approval_at, deployed_at, deploy_link_rule, has_deploy_data, size_lines,
        size_unknown, lines_changed_after_open, has_issue_key, coding_hours, pickup_hours, approve_hours, merge_hours,
        review_hours, deploy_hours, lead_hours, cycle_hours,
        CASE WHEN author_is_bot AND NOT $include_bots THEN 'bot-authored PRs excluded' END AS bot_reason,
        merged_at >= $start AND merged_at < $end AS merged_in_window,
        ready_at >= $start AND ready_at < $end AS ready_in_window
    FROM fg_pr_facts p, chosen
    WHERE (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], p.repo_id))
        AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], p.service_id))
        -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
        AND (len($teams::VARCHAR[]) = 0 OR list_bool_or(list_transform(p.team_ids, lambda t: list_contains(chosen.team_ids, t))))
),
merged_items AS (
    SELECT
        event_at, repo_id, service_id, author_id AS actor_id, team_ids,
        {value: coding_hours, reason: coalesce(bot_reason,
            CASE WHEN first_commit_at IS NULL THEN 'no first commit time: coding time unknown' END)} AS coding_time,
        {value: pickup_hours, reason: coalesce(bot_reason,
            CASE WHEN review_at IS NULL THEN 'merged without review: pickup time has no value' END)} AS pickup_time,
        {value: approve_hours, reason: coalesce(bot_reason, CASE
            WHEN review_at IS NULL THEN 'merged without review: approve time has no value'
            WHEN approval_at IS NULL THEN 'merged without approval: approve time has no value'
        END)} AS approve_time,
        {value: merge_hours, reason: coalesce(bot_reason,
            CASE WHEN approval_at IS NULL THEN 'merged without approval: merge time has no value' END)} AS merge_time,
        {value: review_hours, reason: coalesce(bot_reason,
            CASE WHEN review_at IS NULL THEN 'merged without review: review time has no value' END)} AS review_time,
        {value: deploy_hours, link_rule: deploy_link_rule, reason: coalesce(bot_reason, CASE
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN has_deploy_data THEN 'no production deployment yet: deploy time unknown'
            ELSE 'no deployment data for their repository/service: deploy time unknown'
        END)} AS deploy_time,
        {value: cycle_hours, link_rule: deploy_link_rule,
            flag: CASE WHEN NOT has_deploy_data THEN 'cycle time measured to merge: no deployment data' END,
            reason: coalesce(bot_reason, CASE
                WHEN first_commit_at IS NULL THEN 'no first commit time: cycle time unknown'
                WHEN has_deploy_data AND deployed_at IS NULL THEN 'no production deployment yet: cycle time unknown'
            END)} AS cycle_time,
        {value: lead_hours, link_rule: deploy_link_rule, reason: coalesce(bot_reason, CASE
            WHEN first_commit_at IS NULL THEN 'no first commit time: lead time unknown'
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN has_deploy_data THEN 'no production deployment yet: lead time unknown'
            ELSE 'no deployment data for their repository/service: lead time unknown'
        END)} AS lead_time_for_changes,
        {value: size_lines, reason: coalesce(bot_reason,
            CASE WHEN size_unknown THEN 'no line counts: size unknown' END)} AS pr_size,
        {value: round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2),
            num: size_lines * round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2),
            den: size_lines,
            reason: coalesce(bot_reason, CASE
                WHEN size_unknown OR size_lines <= 10 THEN 'PRs of 10 lines or fewer: maturity not rated'
                WHEN lines_changed_after_open IS NULL THEN 'no after-open change counts: maturity unknown'
            END)} AS pr_maturity,
        {num: 1, reason: bot_reason} AS merge_frequency,
        {num: has_issue_key::INTEGER, den: 1, reason: bot_reason} AS pm_prs_linked_to_issue
    FROM prs
    -- A merged PR's event_at is its merge time: bounding it too lets the scan skip other periods' row groups.
    WHERE merged_in_window AND event_at >= $start AND event_at < $end
),
-- Waiting: from ready until first review, else until closed, else until $end.
waiting_items AS (
    SELECT ready_at AS event_at, repo_id, service_id, author_id AS actor_id, team_ids,
        {num: (epoch(coalesce(review_at, closed_at, merged_at, $end)) - epoch(ready_at) > 24 * 3600)::INTEGER, den: 1,
            reason: bot_reason} AS waiting_for_review_rate
    FROM prs
    WHERE ready_in_window
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
SELECT *, NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind FROM merged_items
UNION ALL BY NAME
SELECT *, NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind FROM waiting_items
UNION ALL BY NAME
SELECT *, NULL::VARCHAR AS subject FROM stale_items
