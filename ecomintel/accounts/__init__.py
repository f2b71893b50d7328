"""Accounts: users, sign-in (lockout, sessions), invitations — decided in the core from the database.

Why in the core and not in the login widget: a lockout or a logout must hold whatever signs in (the
Streamlit login, the CLI, a second app replica, a browser with an old cookie). The UI (ui/auth.py) uses
streamlit-authenticator for the form and the cookie, and asks these modules whether a sign-in or a cookie
is still good. Users live above a tenant's Repository (sign-in happens before there is a tenant), so these
modules read the users table through `rls.system_engine` and write the audit through the tenant's Repository.
"""
