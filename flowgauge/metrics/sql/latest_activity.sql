-- The latest UTC timestamp of any delivery event in the snapshot, where a default report window ends.
-- Not windowed: PR opens and merges, deployment starts, incident opens and commit author times.
SELECT greatest(
    (SELECT max(greatest(created_at, coalesce(merged_at, created_at))) FROM pull_requests),
    (SELECT max(started_at) FROM deployments),
    (SELECT max(opened_at) FROM incidents),
    (SELECT max(authored_at) FROM commits)
) AS latest_at
