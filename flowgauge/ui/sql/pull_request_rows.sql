-- One row per PR of the selection with its phase times in hours, as the metrics engine staged them (fg_prs),
-- plus title, branch and link. Window as fg_prs: merged or ready in [$start, $end), or open at some moment in it.
SELECT
    p.pr_id, pr.title, pr.url, p.repo_id, pr.head_branch, p.author_id, p.team_ids, p.state, p.author_kind,
    p.code_origin, p.created_at, p.ready_at, p.is_draft, p.review_at, p.merged_at, p.deployed_at, p.deploy_link_rule,
    p.deploy_approximate,
    -- fg_prs clamps spans with greatest(..., 0), which turns a missing end into 0 h: show those as empty.
    CASE WHEN p.first_commit_at IS NOT NULL THEN p.coding_hours END AS coding_hours,
    CASE WHEN p.review_at IS NOT NULL THEN p.pickup_hours END AS pickup_hours,
    CASE WHEN p.review_at IS NOT NULL AND p.merged_at IS NOT NULL THEN p.review_hours END AS review_hours,
    CASE WHEN p.deployed_at IS NOT NULL AND p.merged_at IS NOT NULL THEN p.deploy_hours END AS deploy_hours,
    CASE
        WHEN p.first_commit_at IS NOT NULL AND (p.deployed_at IS NOT NULL OR (NOT p.has_deploy_data AND p.merged_at IS NOT NULL))
        THEN p.cycle_hours
    END AS cycle_hours,
    p.size_lines
FROM fg_prs p
JOIN pull_requests pr USING (pr_id)
WHERE $include_bots OR p.author_kind IN ('person', 'agent')
ORDER BY p.event_at DESC, p.pr_id
