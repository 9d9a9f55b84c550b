-- Per-PR values of the flow, lead time, PR hygiene and "how unblocked" metrics, read from fg_prs (stage_prs.sql).
-- Window: merged in [$start, $end) (waiting: ready in the window; stale: open at $end); reason says why a row has no value.
WITH prs AS (
    -- Only what the rows below read: every branch carries these columns through the union.
    SELECT
        repo_id, service_id, author_id, team_ids, event_at, ready_at, created_at, merged_at, closed_at,
        first_commit_at, review_at, deployed_at, deploy_link_rule, has_deploy_data, size_lines, size_unknown,
        lines_changed_after_open, has_issue_key, coding_hours, pickup_hours, approve_hours, merge_hours, review_hours,
        deploy_hours, lead_hours, cycle_hours, approval_at,
        CASE WHEN author_is_bot AND NOT $include_bots THEN 'bot-authored PRs excluded' END AS bot_reason,
        merged_at >= $start AND merged_at < $end AS merged_in_window
    FROM fg_prs
),
merged AS (SELECT * FROM prs WHERE merged_in_window),
rows AS (
    SELECT 'coding_time' AS metric_id, *, coding_hours AS value,
        coalesce(bot_reason, CASE WHEN first_commit_at IS NULL THEN 'no first commit time: coding time unknown' END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'pickup_time' AS metric_id, *, pickup_hours AS value,
        coalesce(bot_reason, CASE WHEN review_at IS NULL THEN 'merged without review: pickup time has no value' END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'approve_time' AS metric_id, *, approve_hours AS value,
        coalesce(bot_reason, CASE
            WHEN review_at IS NULL THEN 'merged without review: approve time has no value'
            WHEN approval_at IS NULL THEN 'merged without approval: approve time has no value'
        END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'merge_time' AS metric_id, *, merge_hours AS value,
        coalesce(bot_reason, CASE WHEN approval_at IS NULL THEN 'merged without approval: merge time has no value' END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'review_time' AS metric_id, *, review_hours AS value,
        coalesce(bot_reason, CASE WHEN review_at IS NULL THEN 'merged without review: review time has no value' END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'deploy_time' AS metric_id, *, deploy_hours AS value,
        coalesce(bot_reason, CASE
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN has_deploy_data THEN 'no production deployment yet: deploy time unknown'
            ELSE 'no deployment data for their repository/service: deploy time unknown'
        END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'cycle_time' AS metric_id, *, cycle_hours AS value,
        coalesce(bot_reason, CASE
            WHEN first_commit_at IS NULL THEN 'no first commit time: cycle time unknown'
            WHEN has_deploy_data AND deployed_at IS NULL THEN 'no production deployment yet: cycle time unknown'
        END) AS reason,
        CASE WHEN NOT has_deploy_data THEN 'cycle time measured to merge: no deployment data' END AS flag
    FROM merged
    UNION ALL BY NAME
    SELECT 'lead_time_for_changes' AS metric_id, *, lead_hours AS value,
        coalesce(bot_reason, CASE
            WHEN first_commit_at IS NULL THEN 'no first commit time: lead time unknown'
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN has_deploy_data THEN 'no production deployment yet: lead time unknown'
            ELSE 'no deployment data for their repository/service: lead time unknown'
        END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'pr_size' AS metric_id, *, size_lines::DOUBLE AS value,
        coalesce(bot_reason, CASE WHEN size_unknown THEN 'no line counts: size unknown' END) AS reason
    FROM merged
    UNION ALL BY NAME
    SELECT 'pr_maturity' AS metric_id, *,
        round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2) AS value,
        coalesce(bot_reason, CASE
            WHEN size_unknown OR size_lines <= 10 THEN 'PRs of 10 lines or fewer: maturity not rated'
            WHEN lines_changed_after_open IS NULL THEN 'no after-open change counts: maturity unknown'
        END) AS reason,
        size_lines * round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2) AS num,
        size_lines::DOUBLE AS den
    FROM merged
    UNION ALL BY NAME
    SELECT 'merge_frequency' AS metric_id, *, 1.0 AS num, bot_reason AS reason FROM merged
    UNION ALL BY NAME
    SELECT 'pm_prs_linked_to_issue' AS metric_id, *, has_issue_key::INTEGER::DOUBLE AS num, 1.0 AS den, bot_reason AS reason
    FROM merged
    UNION ALL BY NAME
    -- Waiting: from ready until first review, else until closed, else until $end.
    SELECT 'waiting_for_review_rate' AS metric_id, * REPLACE (ready_at AS event_at),
        (epoch(coalesce(review_at, closed_at, merged_at, $end)) - epoch(ready_at) > 24 * 3600)::INTEGER::DOUBLE AS num,
        1.0 AS den, bot_reason AS reason
    FROM prs
    WHERE ready_at >= $start AND ready_at < $end
    UNION ALL BY NAME
    SELECT 'stale_open_prs' AS metric_id, * REPLACE (created_at AS event_at), 1.0 AS num, bot_reason AS reason
    FROM prs
    WHERE created_at < $end - INTERVAL 7 DAY AND coalesce(closed_at, merged_at, $end) >= $end
)
SELECT
    metric_id, event_at, repo_id, service_id, author_id AS actor_id, team_ids, NULL::VARCHAR AS subject,
    CASE WHEN reason IS NULL THEN value END::DOUBLE AS value,
    num::DOUBLE AS num, den::DOUBLE AS den, reason, flag::VARCHAR AS flag,
    CASE WHEN metric_id IN ('deploy_time', 'cycle_time', 'lead_time_for_changes') THEN deploy_link_rule END AS link_rule
FROM rows
