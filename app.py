"""What `streamlit run app.py` (and ./run) serves: the app (streamlit_app.py) plus the session routes.

st.App is Streamlit's ASGI application; its extra routes set and clear the HttpOnly session cookie,
which a Streamlit page cannot do itself (see ui/routes.py and vru_core/platform/sessions.py).
"""

import streamlit as st

from ui.routes import session_routes

app = st.App("streamlit_app.py", routes=session_routes())
