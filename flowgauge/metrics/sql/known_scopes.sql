-- Every team (id and name) and repository id in the snapshot, to check a report's --team and --repo options.
-- Not windowed.
SELECT 'team' AS kind, team_id AS id, name FROM teams
UNION ALL
SELECT 'repo', repo_id, name FROM repositories
ORDER BY kind, id
