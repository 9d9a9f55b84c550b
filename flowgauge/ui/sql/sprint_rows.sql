-- Sprints ending in [$start, $end) with their team and dates, oldest first.
SELECT s.sprint_id, s.name AS sprint, s.team_id, t.name AS team, s.starts_at, s.ends_at
FROM sprints s
LEFT JOIN teams t USING (team_id)
WHERE s.ends_at >= $start AND s.ends_at < $end
    AND (len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], s.team_id))
ORDER BY s.ends_at, s.name
