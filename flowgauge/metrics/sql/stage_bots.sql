-- Bot accounts: people.is_bot (the API's actor type, the loaders' lists), person ids or login aliases ending in
-- '[bot]', named in $bot_logins (built-in and the rules file's) or matching $bot_login_regex (the rules file's).
-- Not windowed; PR and review files also test these for ids missing from people.
SELECT DISTINCT person_id
FROM (
    SELECT person_id
    FROM people
    WHERE is_bot OR ends_with(lower(person_id), '[bot]') OR list_contains($bot_logins::VARCHAR[], lower(person_id))
        OR ($bot_login_regex <> '' AND regexp_matches(person_id, $bot_login_regex))
    UNION ALL
    SELECT person_id
    FROM person_aliases
    WHERE alias_kind = 'login' AND (
        ends_with(lower(alias), '[bot]') OR list_contains($bot_logins::VARCHAR[], lower(alias))
        OR ($bot_login_regex <> '' AND regexp_matches(alias, $bot_login_regex))
    )
)
