-- Bot accounts: people.is_bot, person ids or login aliases ending in '[bot]', or named in $bot_logins.
-- Not windowed; PR and review files also test the '[bot]' suffix and $bot_logins for ids missing from people.
SELECT DISTINCT person_id
FROM (
    SELECT person_id
    FROM people
    WHERE is_bot OR ends_with(lower(person_id), '[bot]') OR list_contains($bot_logins::VARCHAR[], lower(person_id))
    UNION ALL
    SELECT person_id
    FROM person_aliases
    WHERE alias_kind = 'login' AND (ends_with(alias, '[bot]') OR list_contains($bot_logins::VARCHAR[], alias))
)
