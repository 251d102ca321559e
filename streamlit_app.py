"""VRU Hub entry: page setup and navigation only; each page is a short script under pages/."""

import streamlit as st

from pages.common import current_actor, engine

st.set_page_config(page_title="VRU Hub", page_icon=":material/explore:", layout="wide")
engine()  # migrate and load the bundled data before any page needs it

sections = {
    "Need scores": [
        st.Page("pages/need_scores.py", title="Ward need scores", icon=":material/map:", default=True),
        st.Page("pages/sensitivity.py", title="Sensitivity", icon=":material/tune:", url_path="sensitivity"),
        st.Page("pages/trends.py", title="Trends and concentration", icon=":material/trending_up:", url_path="trends"),
        st.Page("pages/measures.py", title="Measures and sources", icon=":material/menu_book:", url_path="measures"),
    ],
    "Commissioning": [
        st.Page("pages/register.py", title="Register", icon=":material/receipt_long:", url_path="register"),
        st.Page("pages/award_new.py", title="New award", icon=":material/add_circle:"),
        st.Page("pages/award.py", title="Award", icon=":material/description:", url_path="award"),
        st.Page("pages/import_awards.py", title="Import awards", icon=":material/upload:"),
        st.Page("pages/export.py", title="Open data export", icon=":material/public:", url_path="export"),
        st.Page("pages/funding_vs_need.py", title="Funding vs need", icon=":material/balance:"),
    ],
    "Performance": [
        st.Page("pages/framework.py", title="Strategy overview", icon=":material/flag:"),
        st.Page("pages/objective.py", title="Objective detail", icon=":material/search:"),
        st.Page("pages/indicators_entry.py", title="Enter indicator values", icon=":material/edit_note:"),
        st.Page("pages/framework_admin.py", title="Framework settings", icon=":material/settings:"),
    ],
    "Account": [
        st.Page(
            "pages/account.py",
            title="Sign in" if current_actor() is None else "Account",
            icon=":material/person:",
            url_path="account",
        )
    ],
}
st.navigation(sections, expanded=True).run()
