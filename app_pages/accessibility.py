"""Accessibility statement: what was tested, how, and what is known not to work yet."""

import streamlit as st

st.title("Accessibility statement")
st.markdown(
    """
VRU Hub is run by the London Violence Reduction Unit. We want as many people as possible to be able to
use it, and we aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, as the Public
Sector Bodies (Websites and Mobile Applications) Accessibility Regulations 2018 require.

### What we test, and how

- **Automated checks on every page, signed in and signed out.** Every page is opened in Chromium and
  checked with axe-core (through `axe-playwright-python`) against its WCAG 2.0, 2.1 and 2.2 A and AA rules.
  The test fails on any *serious* or *critical* finding. It runs with every change to the app.
- **Keyboard.** A test moves through each page with the Tab key and checks that every control can be
  reached and shows where the focus is.
- **Colour.** The theme's text, caption and link colours have a contrast ratio of at least 4.5:1 on their
  backgrounds; the map and chart colours are never the only way a value is given.
- **Charts and maps.** Every chart has a written description and a **Show as table** switch that gives the
  same figures as a table. The ward maps have a colour key in words and repeat what they show in the
  tables beside them. Pages name things in words, not in internal codes.
- **Navigation.** The page menu is a list of plain links with section names.

### What we know is not yet accessible

- The ward maps (drawn with deck.gl) cannot be used with a keyboard or a screen reader: the same wards,
  scores and figures are in the tables on the same pages, and a ward can be chosen there instead.
- Charts are pictures to assistive technology; their descriptions and tables carry the same information.
- Some controls come from Streamlit, the framework the app is built on, and follow its behaviour: the data
  tables are drawn on a canvas (a screen reader reads them cell by cell through Streamlit's own grid), and
  tooltips open on hover or focus. Each table can also be downloaded as a CSV file.
- Automated checks find only part of the problems people meet. The app has not yet been tested by disabled
  people or with a full manual audit.

### Feedback and contact

If you cannot use part of VRU Hub, or you find a problem not listed here, tell the VRU's digital team
(through your usual VRU contact) and say which page and what you were trying to do. We will reply within
5 working days. If you are not happy with our reply, you can contact the Equality Advisory and Support
Service (EASS).

This statement was prepared on 2 December 2026, from the automated tests described above.
"""
)
