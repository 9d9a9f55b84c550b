-- One row per PR with every delivery phase in hours, its author's teams and kind (person, agent, bot or unknown) and its
-- code origin (facts.py builds it).
-- The PRs a selection can use: merged or ready in [$start, $end), or open at some moment in it, in the selected
-- repos, services
-- and teams; stage_prs.sql then narrows them to the selection. The app keeps this for the whole snapshot (a window
-- without bounds, no filters, team lists on) and reuses it for every selection with the same linking rules.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
members AS (
    SELECT * FROM team_memberships
    WHERE len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams)
),
in_scope AS (
    -- Only the columns metrics read (the title only through the bot rule): URLs and labels stay in the snapshot.
    SELECT
        p.pr_id, p.repo_id, p.service_id, p.author_id, p.state, p.is_draft, p.created_at, p.first_commit_at,
        p.first_review_at, p.first_approval_at, p.merged_at, p.closed_at, p.lines_added, p.lines_deleted,
        p.lines_changed_after_open, p.merge_commit_sha, p.issue_keys,
        coalesce(p.ready_for_review_at, p.created_at) AS ready_at,
        coalesce(p.merged_at, p.ready_for_review_at, p.created_at) AS event_at,
        coalesce(p.service_id, p.repo_id) AS scope_key,
        -- One rule everywhere: no login (a deleted account, some apps) is 'unknown'; a bot account, or a title the
        -- rules name a bot's, is 'bot', unless its loader found the PR agentic: a coding agent's PR is delivery work,
        -- counted like a person's ('agent'). Bots left out leaves out 'bot' and 'unknown'.
        CASE
            WHEN p.author_id IS NULL OR lower(p.author_id) = 'ghost' THEN 'unknown'
            WHEN p.author_id IN (SELECT person_id FROM fg_bots)
                OR ends_with(lower(p.author_id), '[bot]')
                OR list_contains($bot_logins::VARCHAR[], lower(p.author_id))
                OR ($bot_login_regex <> '' AND regexp_matches(p.author_id, $bot_login_regex))
                OR ($bot_title_regex <> '' AND regexp_matches(coalesce(p.title, ''), $bot_title_regex))
                THEN CASE WHEN o.origin = 'agentic' THEN 'agent' ELSE 'bot' END
            ELSE 'person'
        END AS author_kind,
        -- agentic|ai_assisted|unassisted as the loader classified it; unknown when it could not tell (no row).
        coalesce(o.origin, 'unknown') AS code_origin,
        -- git history holds merged PRs only: a closed, unmerged one never reaches it (acceptance rate cannot count).
        p.repo_id IN (SELECT repo_id FROM repositories WHERE source = 'git') AS merged_only_source
    FROM pull_requests p
    LEFT JOIN pr_code_origins o USING (pr_id)
    WHERE (
            (p.merged_at >= $start AND p.merged_at < $end)
            OR (coalesce(p.ready_for_review_at, p.created_at) >= $start AND coalesce(p.ready_for_review_at, p.created_at) < $end)
            OR (p.created_at < $end AND coalesce(p.closed_at, p.merged_at, $end) >= $start)
        )
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], p.repo_id))
        AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], p.service_id))
),
-- Team first, so every later join works on the selected team's PRs only.
author_teams AS (
    SELECT p.pr_id, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM in_scope p
    JOIN members m
        ON m.person_id = p.author_id AND m.valid_from <= p.event_at AND (m.valid_to IS NULL OR p.event_at < m.valid_to)
    -- Team lists only when a team filter or breakdown needs them (kept facts always have them).
    WHERE len($teams::VARCHAR[]) > 0 OR $by = 'team'
    GROUP BY p.pr_id
),
prs AS (
    SELECT p.*, coalesce(t.team_ids, []) AS team_ids
    FROM in_scope p
    LEFT JOIN author_teams t USING (pr_id)
    WHERE len($teams::VARCHAR[]) = 0 OR t.pr_id IS NOT NULL
),
-- The bot rule runs once per reviewer name, not once per review of the selection's PRs (a few thousand names against
-- hundreds of thousands of reviews at a million PRs).
bot_reviewers AS (
    SELECT person_id AS reviewer_id FROM fg_bots
    UNION
    SELECT reviewer_id FROM (SELECT DISTINCT reviewer_id FROM pr_reviews)
    WHERE ends_with(lower(reviewer_id), '[bot]')
        OR list_contains($bot_logins::VARCHAR[], lower(reviewer_id))
        OR ($bot_login_regex <> '' AND regexp_matches(reviewer_id, $bot_login_regex))
),
-- Review activity counts only after the PR left draft, never by its author, never by a bot; one scan of pr_reviews.
reviews AS (
    SELECT
        r.pr_id,
        min(r.submitted_at) FILTER (WHERE counts) AS first_review_at,
        min(r.submitted_at) FILTER (WHERE counts AND r.state = 'approved') AS first_approval_at
    FROM (
        SELECT
            r.pr_id, r.submitted_at, r.state,
            r.submitted_at >= p.ready_at
                AND r.reviewer_id IS DISTINCT FROM p.author_id
                AND NOT coalesce(r.reviewer_id IN (SELECT reviewer_id FROM bot_reviewers), false) AS counts
        FROM pr_reviews r
        JOIN prs p USING (pr_id)
    ) r
    GROUP BY r.pr_id
),
-- The environment regex runs once per distinct environment name, not once per deployment.
production_environments AS (
    SELECT environment FROM (SELECT DISTINCT environment FROM deployments)
    WHERE regexp_matches(environment, $prod_regex)
        AND (len($environments::VARCHAR[]) = 0 OR list_contains($environments::VARCHAR[], environment))
),
production AS (
    SELECT
        d.deployment_id, d.repo_id, coalesce(d.service_id, d.repo_id) AS scope_key, d.started_at, d.status,
        d.is_approximate
    FROM deployments d
    WHERE d.environment IN (SELECT environment FROM production_environments)
        AND d.status IN ('success', 'failure', 'error')
),
merged AS (SELECT pr_id, repo_id, service_id, scope_key, merged_at, merge_commit_sha FROM prs WHERE merged_at IS NOT NULL),
successful AS (SELECT * FROM production WHERE status = 'success'),
-- Deployments that name the PR: its own list ('source') first, else the deployment whose new commits include its
-- merge, squash or last rebased commit ('commit_ancestry'), the latter asked only for PRs the lists do not name.
-- Only a deployment started at or after the merge can have shipped it: an earlier one is never taken, and the PR
-- falls through to the next deployment by time. Every successful one is read, not only the window's, so that a
-- link to one before the merge is noticed whatever the window.
-- The selection's merged PRs' list rows first, then their deployments: materialised, because the optimizer would
-- otherwise join every list row with every deployment first (a million rows at a million PRs, for a sixth of them).
source_named AS MATERIALIZED (
    SELECT dp.deployment_id, dp.pr_id, m.merged_at FROM deployment_pull_requests dp JOIN merged m USING (pr_id)
),
by_source AS (
    SELECT
        dp.pr_id,
        min(s.started_at) FILTER (WHERE s.started_at >= dp.merged_at) AS deployed_at,
        arg_min(s.is_approximate, s.started_at) FILTER (WHERE s.started_at >= dp.merged_at) AS is_approximate
    FROM source_named dp
    JOIN successful s USING (deployment_id)
    GROUP BY dp.pr_id
),
-- Merged PRs no list links (read twice: by commit, then by time).
unnamed AS MATERIALIZED (
    SELECT * FROM merged WHERE pr_id NOT IN (SELECT pr_id FROM by_source WHERE deployed_at IS NOT NULL)
),
-- Joined with the large deployment_commits on the sha alone, so DuckDB pushes a Bloom filter of the few unnamed PRs'
-- shas into its scan (it pushes none for a two-column join); materialised so the repository test stays a filter
-- after the join instead of becoming a second join column.
commit_named AS MATERIALIZED (
    SELECT dc.deployment_id, m.pr_id, m.merged_at, dc.repo_id = m.repo_id AS same_repo
    FROM unnamed m
    JOIN deployment_commits dc ON dc.sha = m.merge_commit_sha
),
by_commit AS (
    SELECT
        m.pr_id,
        min(s.started_at) FILTER (WHERE s.started_at >= m.merged_at) AS deployed_at,
        arg_min(s.is_approximate, s.started_at) FILTER (WHERE s.started_at >= m.merged_at) AS is_approximate
    FROM commit_named m
    JOIN successful s USING (deployment_id)
    WHERE m.same_repo
    GROUP BY m.pr_id
),
-- Fallback: the first production deployment of the same service (else repo-level) starting at or after the merge.
unlinked AS (
    SELECT * FROM unnamed
    WHERE pr_id NOT IN (SELECT pr_id FROM by_commit WHERE deployed_at IS NOT NULL)
),
-- Every merged PR here merged at or after $start, so earlier deployments cannot have shipped it. Only the unlinked
-- PRs' scopes are looked up.
shipped AS (
    SELECT * FROM successful
    WHERE started_at >= $start
        AND (scope_key IN (SELECT scope_key FROM unlinked) OR scope_key IN (SELECT repo_id FROM unlinked))
),
by_time AS (
    SELECT m.pr_id, s.started_at AS deployed_at, s.is_approximate
    FROM unlinked m
    ASOF JOIN shipped s ON m.scope_key = s.scope_key AND s.started_at >= m.merged_at
),
by_time_repo AS (
    SELECT m.pr_id, s.started_at AS deployed_at, s.is_approximate
    FROM (SELECT * FROM unlinked WHERE service_id IS NOT NULL) m
    ASOF JOIN shipped s ON m.repo_id = s.scope_key AND s.started_at >= m.merged_at
),
deploy_scopes AS (SELECT DISTINCT scope_key FROM production),
linked AS (
    SELECT
        p.*,
        -- PRs with no review rows at all fall back to the times the source reported.
        CASE WHEN r.pr_id IS NULL THEN p.first_review_at ELSE r.first_review_at END AS review_at,
        CASE WHEN r.pr_id IS NULL THEN p.first_approval_at ELSE r.first_approval_at END AS approval_at,
        coalesce(bs.deployed_at, bc.deployed_at, bt.deployed_at, btr.deployed_at) AS deployed_at,
        CASE
            WHEN bs.deployed_at IS NOT NULL THEN 'source'
            WHEN bc.deployed_at IS NOT NULL THEN 'commit_ancestry'
            WHEN bt.deployed_at IS NOT NULL OR btr.deployed_at IS NOT NULL THEN 'merged_since_previous'
        END AS deploy_link_rule,
        -- The deployment it was linked to was inferred (e.g. merges to the default branch standing in for them).
        coalesce(bs.is_approximate, bc.is_approximate, bt.is_approximate, btr.is_approximate, false)
            AS deploy_approximate,
        -- Only deployments that started before it merged name it, and none of its scope came since.
        (bs.pr_id IS NOT NULL OR bc.pr_id IS NOT NULL)
            AND coalesce(bs.deployed_at, bc.deployed_at, bt.deployed_at, btr.deployed_at) IS NULL
            AS named_only_before_merge,
        (p.scope_key IN (SELECT scope_key FROM deploy_scopes) OR p.repo_id IN (SELECT scope_key FROM deploy_scopes))
            AS has_deploy_data
    FROM prs p
    LEFT JOIN reviews r USING (pr_id)
    LEFT JOIN by_source bs USING (pr_id)
    LEFT JOIN by_commit bc USING (pr_id)
    LEFT JOIN by_time bt USING (pr_id)
    LEFT JOIN by_time_repo btr USING (pr_id)
)
SELECT
    pr_id, repo_id, service_id, author_id, team_ids, author_kind, code_origin, merged_only_source, state, is_draft,
    created_at, ready_at, first_commit_at, review_at, approval_at, merged_at, closed_at, event_at, deployed_at,
    deploy_link_rule, deploy_approximate, named_only_before_merge, has_deploy_data,
    coalesce(lines_added, 0) + coalesce(lines_deleted, 0) AS size_lines,
    lines_added IS NULL AND lines_deleted IS NULL AS size_unknown,
    lines_changed_after_open,
    coalesce(len(issue_keys), 0) > 0 AS has_issue_key,
    -- Negative spans (clock skew, rebased author dates) count as zero.
    greatest(epoch(ready_at) - epoch(first_commit_at), 0) / 3600.0 AS coding_hours,
    greatest(epoch(review_at) - epoch(ready_at), 0) / 3600.0 AS pickup_hours,
    greatest(epoch(approval_at) - epoch(review_at), 0) / 3600.0 AS approve_hours,
    greatest(epoch(merged_at) - epoch(approval_at), 0) / 3600.0 AS merge_hours,
    greatest(epoch(merged_at) - epoch(review_at), 0) / 3600.0 AS review_hours,
    greatest(epoch(deployed_at) - epoch(merged_at), 0) / 3600.0 AS deploy_hours,
    greatest(epoch(deployed_at) - epoch(first_commit_at), 0) / 3600.0 AS lead_hours,
    greatest(epoch(CASE WHEN has_deploy_data THEN deployed_at ELSE merged_at END) - epoch(first_commit_at), 0) / 3600.0
        AS cycle_hours
FROM linked
