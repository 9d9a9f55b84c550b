-- Production deployments of the selection with the next one of their service/repo, from fg_deploy_facts
-- (deploy_facts.sql). Window: started in [$start - $window_hours, $end) so incidents early in the window can link
-- back (in_window marks the window's own); team = owner team of the service, else of the repository.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
)
SELECT
    d.* EXCLUDE (owner_team_id),
    CASE WHEN d.owner_team_id IS NULL THEN []::VARCHAR[] ELSE [d.owner_team_id] END AS team_ids,
    d.started_at >= $start AND d.started_at < $end AS in_window
FROM fg_deploy_facts d
WHERE d.started_at >= $start - to_hours($window_hours::BIGINT) AND d.started_at < $end
    AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], d.repo_id))
    AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], d.service_id))
    AND (len($teams::VARCHAR[]) = 0 OR d.owner_team_id IN (SELECT team_id FROM selected_teams))
