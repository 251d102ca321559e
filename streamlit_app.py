"""VRU Hub entry: page setup and navigation only; each page is a short script under app_pages/.

`streamlit run app.py` serves this script with the session routes; `streamlit run streamlit_app.py` still
works, but then a sign-in lasts only as long as its browser tab."""

import streamlit as st

from ui.feedback import show, store_banner
from ui.session import can, current_actor, engine
from vru_core.platform import labels
from vru_core.platform.auth import Permission
from vru_core.platform.errors import DomainError


def page(script: str, **kwargs) -> st.Page:
    return st.Page(f"app_pages/{script}", **kwargs)


st.set_page_config(page_title="VRU Hub", page_icon=":material/explore:", layout="wide")
st.html(  # WCAG 2.4.7 / 2.4.13 focus visible and 2.5.8 target size, where Streamlit's own styles fall short
    "<style>"
    "a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,[role=tab]:focus-visible,"
    "[tabindex]:focus-visible{outline:3px solid #1d70b8!important;outline-offset:2px!important}"
    "[data-testid=stMultiSelect] button,[data-testid=stSelectbox] button{min-width:24px;min-height:24px}"
    "[data-testid=stDateInput] [role=spinbutton]{display:inline-block;min-width:24px;min-height:24px;"
    "text-align:center}"
    "</style>"
)
store = engine()  # migrate and load the bundled data before any page needs it
actor = current_actor()

sections = {
    "Need scores": [
        page("need_scores.py", title="Ward need scores", icon=":material/map:", default=True),
        page("sensitivity.py", title="Sensitivity", icon=":material/tune:", url_path="sensitivity"),
        page("trends.py", title="Trends and concentration", icon=":material/trending_up:", url_path="trends"),
        page("measures.py", title="Measures and sources", icon=":material/menu_book:", url_path="measures"),
    ],
    "Commissioning": [
        page("register.py", title="Register", icon=":material/receipt_long:", url_path="register"),
        page("award_new.py", title="New award", icon=":material/add_circle:"),
        page("award.py", title="Award", icon=":material/description:", url_path="award"),
        page("import_awards.py", title="Import awards", icon=":material/upload:"),
        page("export.py", title="Open data export", icon=":material/public:", url_path="export"),
        page("funding_vs_need.py", title="Funding vs need", icon=":material/balance:"),
        page("budgets.py", title="Budgets", icon=":material/account_balance:", url_path="budgets"),
        page("due.py", title="Due and overdue", icon=":material/event_upcoming:", url_path="due"),
        page("impact.py", title="Impact by stream, objective and round", icon=":material/insights:", url_path="impact"),
    ],
    "Funding rounds": [
        page("rounds.py", title="Manage rounds", icon=":material/campaign:", url_path="rounds"),
        page("round.py", title="Round (public page)", icon=":material/article:", url_path="round"),
        page("applications.py", title="Applications and panel", icon=":material/inbox:", url_path="applications"),
        page("assess.py", title="Assess applications", icon=":material/rate_review:", url_path="assess"),
    ],
    "Performance": [
        page("framework.py", title="Strategy overview", icon=":material/flag:"),
        page("objective.py", title="Objective detail", icon=":material/search:"),
        page("indicators_entry.py", title="Enter indicator values", icon=":material/edit_note:"),
        page("framework_admin.py", title="Framework settings", icon=":material/settings:"),
    ],
    "Account": [
        page(
            "account.py",
            title="Sign in" if actor is None else "Account",
            icon=":material/person:",
            url_path="account",
        ),
        page("accessibility.py", title="Accessibility statement", icon=":material/accessibility:"),
    ],
}
admin = []  # hidden from everyone else; the pages and vru_core check again
if can(Permission.USERS_WRITE):
    admin.append(page("admin_users.py", title="Users and roles", icon=":material/manage_accounts:", url_path="users"))
if can(Permission.AUDIT_READ):
    admin.append(page("audit.py", title="Audit log", icon=":material/history:", url_path="audit"))
if admin:
    sections["Administration"] = admin
page = st.navigation(sections, position="hidden")
with st.sidebar:  # links of our own: Streamlit's sidebar menu is list markup that assistive technology misreads
    for section, pages in sections.items():
        st.markdown(f"**{section}**")
        for p in pages:
            st.page_link(p)
    st.caption(f"Signed in: `{actor.username}` ({labels.role(actor.role)})" if actor else "Not signed in: read only")
store_banner(store)
try:
    page.run()
except DomainError as exc:  # a refusal no page caught itself is still a message, never a traceback
    show(exc)
