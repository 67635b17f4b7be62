"""The clinicians' web desk (`editorial serve`): read the article, decide its claims, behind a login.

Server-rendered pages (FastAPI + Jinja2, one plain static script, no build step). A click is a direct
call into the desk's rules and the content repository (`flows.review_actions`) plus a Prefect event,
never a flow run. The modules:
- `config`: the desk's settings and its data directory (accounts, the Prefect API file);
- `accounts`: local accounts for roster ids (argon2 hashes, optional TOTP, lock-out);
- `security`: sessions, CSRF tokens, the login rate limit, response headers (CSP), trusted proxies;
- `render`: the article as HTML with its claims, terms and sentences marked in place (pure);
- `views`: what each page shows, read from the content repository;
- `app`: the FastAPI application and its routes; `server`: starting it with its Prefect API.
"""
