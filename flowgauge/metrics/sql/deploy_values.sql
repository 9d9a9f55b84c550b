-- Per-deployment and per-incident items of the DORA metrics, read from fg_deploy_outcomes and fg_incidents.
-- Window: deployments started and incidents opened in [$start, $end); a deployment counts as failed at most once.
-- An inferred deployment (is_approximate: e.g. a merge to the default branch standing in for one) flags every item
-- it is, word for word as metrics/engine.py's APPROXIMATE_DEPLOYMENTS, which the cards and the cluster look for.
-- A deployment whose state is unknown (it never reported a status) is left out of each of them, with that reason.
-- Code origin ($origins, change failure rate only): a deployment belongs to an origin when it shipped at least one PR
-- of that origin (deployment_pull_requests); one with no linked PR is left out, with that reason, when one is chosen.
-- An incident (cfr_mode=incidents) follows its deployment.
WITH shipped_origins AS (
    SELECT dp.deployment_id, list(DISTINCT coalesce(o.origin, 'unknown')) AS origins
    FROM deployment_pull_requests dp
    LEFT JOIN pr_code_origins o USING (pr_id)
    WHERE len($origins::VARCHAR[]) > 0
    GROUP BY dp.deployment_id
),
deploys AS (
    SELECT
        d.*,
        CASE
            WHEN len($origins::VARCHAR[]) = 0 OR list_has_any(s.origins, $origins::VARCHAR[]) THEN 'chosen'
            WHEN s.deployment_id IS NULL THEN 'unlinked'
        END AS origin_scope,
        CASE WHEN is_approximate THEN 'approximate: deployments inferred from merges' END AS approximate_flag,
        CASE WHEN status = 'unknown' THEN 'state unknown: the deployment never reported a status' END AS unknown_state
    FROM fg_deploy_outcomes d  -- failed: see stage_deploy_outcomes.sql
    LEFT JOIN shipped_origins s USING (deployment_id)
)
SELECT
    started_at AS event_at, repo_id, service_id, NULL::VARCHAR AS actor_id, team_ids, NULL::VARCHAR AS subject,
    NULL::VARCHAR AS point_kind,
    {num: 1, reason: unknown_state, flag: approximate_flag} AS deploy_frequency,
    -- Under the incidents rule deployments are only the denominator; the incidents below are the numerator.
    -- Not an item (NULL) when it shipped only PRs of other origins than those chosen.
    CASE WHEN origin_scope IS NOT NULL THEN
        {num: CASE WHEN $cfr_mode = 'incidents' THEN 0 ELSE failed::INTEGER END, den: 1, link_rule: NULL::VARCHAR,
            reason: coalesce(unknown_state, CASE WHEN origin_scope = 'unlinked' THEN 'deployments with no linked PR excluded: the origin filter needs a PR to give them a code origin' END),
            flag: approximate_flag}
    END AS change_failure_rate,
    CASE WHEN failed AND unknown_state IS NULL THEN {value: (epoch(next_success_done_at) - epoch(started_at)) / 3600.0,
        reason: CASE WHEN next_success_done_at IS NULL THEN 'not recovered yet: no later successful deployment' END,
        flag: approximate_flag}
    END AS failed_deployment_recovery_time,
    {num: (deploy_kind IN ('hotfix', 'rollback'))::INTEGER, den: 1, reason: unknown_state, flag: approximate_flag}
        AS deployment_rework_rate
FROM deploys
UNION ALL BY NAME
SELECT
    opened_at AS event_at, repo_id, service_id, NULL::VARCHAR AS actor_id, team_ids, NULL::VARCHAR AS subject,
    NULL::VARCHAR AS point_kind,
    CASE WHEN $cfr_mode = 'incidents' AND (len($origins::VARCHAR[]) = 0 OR s.deployment_id IS NULL
            OR list_has_any(s.origins, $origins::VARCHAR[]))
        THEN {num: 1, den: 0, link_rule: link_rule,
            reason: CASE WHEN len($origins::VARCHAR[]) > 0 AND s.deployment_id IS NULL THEN 'incidents of no deployment with a linked PR excluded: the origin filter needs one to give them a code origin' END}
    END AS change_failure_rate,
    {value: (epoch(resolved_at) - epoch(opened_at)) / 3600.0, link_rule: link_rule,
        reason: CASE WHEN resolved_at IS NULL THEN 'still open: no resolution time' END} AS mttr
FROM fg_incidents i
LEFT JOIN shipped_origins s USING (deployment_id)
WHERE in_window
