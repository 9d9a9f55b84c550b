-- Incidents opened in [$start, $end + $window_hours), each linked to the deployment that caused it (see link_rule).
-- Link: the source's deployment_id, else the latest production deployment of its service (else repo) within $window_hours.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
scoped AS (
    SELECT
        i.incident_id, i.repo_id, i.service_id, i.opened_at, i.resolved_at, i.deployment_id AS source_deployment_id,
        coalesce(i.service_id, i.repo_id) AS scope_key,
        coalesce(s.owner_team_id, r.owner_team_id) AS owner_team_id
    FROM incidents i
    LEFT JOIN services s ON s.service_id = i.service_id
    LEFT JOIN repositories r ON r.repo_id = coalesce(i.repo_id, s.repo_id)
    WHERE i.opened_at >= $start AND i.opened_at < $end + to_hours($window_hours::BIGINT)
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], coalesce(i.repo_id, s.repo_id)))
        AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], i.service_id))
        AND (len($teams::VARCHAR[]) = 0 OR coalesce(s.owner_team_id, r.owner_team_id) IN (SELECT team_id FROM selected_teams))
),
-- A deployment that never reported a status is nobody's cause: it is left out of every DORA key.
fg_deploys_known AS (SELECT * FROM fg_deploys WHERE status <> 'unknown'),
latest_before AS (
    SELECT i.incident_id, d.deployment_id, d.started_at
    FROM scoped i
    ASOF JOIN fg_deploys_known d ON i.scope_key = d.scope_key AND d.started_at <= i.opened_at
),
latest_before_repo AS (
    SELECT i.incident_id, d.deployment_id, d.started_at
    FROM (SELECT * FROM scoped WHERE service_id IS NOT NULL) i
    ASOF JOIN fg_deploys_known d ON i.repo_id = d.scope_key AND d.started_at <= i.opened_at
),
linked AS (
    SELECT
        i.*,
        CASE
            WHEN i.source_deployment_id IS NOT NULL THEN i.source_deployment_id
            WHEN epoch(i.opened_at) - epoch(lb.started_at) <= $window_hours * 3600 THEN lb.deployment_id
            WHEN epoch(i.opened_at) - epoch(lbr.started_at) <= $window_hours * 3600 THEN lbr.deployment_id
        END AS deployment_id,
        CASE
            WHEN i.source_deployment_id IS NOT NULL THEN 'source'
            WHEN epoch(i.opened_at) - epoch(lb.started_at) <= $window_hours * 3600 THEN 'latest_deployment_in_window'
            WHEN epoch(i.opened_at) - epoch(lbr.started_at) <= $window_hours * 3600 THEN 'latest_repo_deployment_in_window'
            WHEN i.scope_key IS NULL THEN 'unlinked: no service or repository'
            ELSE 'unlinked: no production deployment within the window'
        END AS link_rule
    FROM scoped i
    LEFT JOIN latest_before lb USING (incident_id)
    LEFT JOIN latest_before_repo lbr USING (incident_id)
)
SELECT
    * EXCLUDE (owner_team_id),
    CASE WHEN owner_team_id IS NULL THEN []::VARCHAR[] ELSE [owner_team_id] END AS team_ids,
    opened_at < $end AS in_window
FROM linked
