"""The strategy's own structure, as published: three aims, eight objectives, first-year priority areas,
funding streams. Seeded into the store by migration 0002; admins may edit the stored copy later."""

# Source: London Violence Reduction Unit Strategy (Mayor of London), "Approach and principles",
# "Objectives and work programme" and "Finance and Resources".
STRATEGY_SOURCE = "London Violence Reduction Unit Strategy (Mayor of London, 2019)"

AIMS = [
    (
        "reduce_violence",
        1,
        "To reduce and stabilise violence across London",
        "Violence is a concern for us all; we will all play our part to reduce it.",
    ),
    (
        "feelings_of_safety",
        2,
        "To increase feelings of safety",
        "Recognising that London is one of the safest cities in the world.",
    ),
    (
        "community_at_heart",
        3,
        "To put community at the heart of our work",
        "Only by doing so do we have a sustainable long-term approach towards reducing violence.",
    ),
]

# number, title, tagline, aims it serves (our reading of the strategy; editable), commitments
OBJECTIVES = [
    (
        1,
        "Supporting individuals to be more resilient",
        "Reduce Adverse Childhood Experiences and build resilience",
        ["reduce_violence", "feelings_of_safety"],
        [
            "Working with a coalition of women's groups ensure there is support for young people affected by domestic "
            "violence. The VRU aims to work towards equity of provision and access for young people aligned with support "
            "services for adults on a pan-London level.",
            "Working with health partners, professionals and the voluntary sector the VRU aims to reduce the barriers "
            "preventing young people accessing mental health services.",
        ],
    ),
    (
        2,
        "Supporting stronger families",
        "Supporting parents and carers to nurture and protect",
        ["reduce_violence", "community_at_heart"],
        [
            "To develop resilient families through programmes which support parents who are concerned about their "
            "children – enabling them to access information and good practice, share their concerns and support each "
            "other.",
            "Supporting vulnerable parents and carers by expanding access to parenting programmes for those who are "
            "victims of crime and in the Criminal Justice System.",
        ],
    ),
    (
        3,
        "Young people leading change",
        "Support young people to be the best they can individually and together",
        ["community_at_heart", "reduce_violence"],
        [
            "To establish a strand of work, led entirely by young people, which develops a peer-to-peer response to "
            "violence.",
            "The VRU will place young people at the heart of decisions through establishing a young persons' action group "
            "and enabling young people to lead programmes of change.",
        ],
    ),
    (
        4,
        "Enabling communities to be strong, safe and resilient",
        "Enabling and empowering communities to lead from within to build sustainable futures",
        ["community_at_heart", "feelings_of_safety"],
        [
            "Investing in grassroots initiatives to combat knife crime and ensure sustainable investment in effective "
            "programmes of voluntary and community sector activity to address violence in those areas most affected.",
            "In consultation with communities and London local authorities ensure that there is a comprehensive package "
            "of support and good practice for communities to access in the aftermath of a serious violence incident; and "
            "roll out a community fund to support local neighbourhoods to deal with trauma and rebuild community pride.",
            "To build and empower communities to use existing assets and overcome structural or systematic barriers. The "
            "VRU will work with voluntary and community sector partners to identify the barriers facing small community "
            "organisations in accessing premises, financial support and capacity building.",
        ],
    ),
    (
        5,
        "Prioritising wellbeing and achievement in schools",
        "Institutions providing responsible leadership; London partners having mutual accountability to invest in "
        "what works",
        ["reduce_violence", "feelings_of_safety"],
        [
            "To reduce the number of young people excluded and missing from mainstream education by developing "
            "programmes in partnership with local authorities and educational establishments that value inclusion and "
            "nurturing.",
            "Delivering a programme of support for young people at difficult points in their school journey, "
            "particularly those with special educational needs, and to support successful primary and secondary "
            "transition.",
            "To expand and promote after-school provision, especially activity for young people during the times of "
            "4-7pm during the weekdays.",
        ],
    ),
    (
        6,
        "Giving young people every chance to succeed",
        "Institutions providing responsible leadership; London partners having mutual accountability to invest in "
        "what works",
        ["reduce_violence", "community_at_heart"],
        [
            "The VRU will invest in London's youth workers by co-producing a programme of training and development to "
            "support and grow their profession.",
            "To support initiatives across the criminal justice system to reduce violence in prisons and provide support "
            "to offenders.",
            "To recognise the disproportionate number of young black men in the criminal justice system and target "
            "supportive interventions towards them.",
            "Working with the business community to expand London's offer in training, mentoring and work placements for "
            "young people building on successful summer programmes in the sport culture and creative sectors.",
        ],
    ),
    (
        7,
        "Making London a more compassionate and safer city",
        "Building a London that is safe, united and inclusive",
        ["feelings_of_safety", "reduce_violence"],
        [
            "Deliver a coordinated pan-London approach to community and workforce trauma-informed practice and training "
            "for frontline professionals.",
            "Working at a neighbourhood level and with local Community Safety Partnerships continue developing best "
            "practice and multi-agency action plans to address violence and knife crime in their areas.",
            "To work with young people on how we can make local places and transport hubs safer.",
        ],
    ),
    (
        8,
        "Increasing confidence in public institutions and changing the message around violence",
        "Tackling and changing international and national influences, building on what works and improve outcomes for "
        "all",
        ["feelings_of_safety", "community_at_heart"],
        [
            "To identify and work to overcome the key barriers to community trust and work with the police and other "
            "public services to foster greater openness and transparency to inspire greater confidence in public "
            "institutions.",
            "Develop a clear, simple and jargon free language around violence that can be a positive message of hope to "
            "both reassure and encourage London citizens.",
            "To develop a movement against violence that draws on ambassadors to promote positive messages and activities "
            "for London citizens to get involved to support local communities.",
            "To challenge the existing narrative of violence: discourage the imagery of knives and shocking headlines; "
            "confront the inaccurate idea that youth violence is black on black violence; make sure that domestic "
            "violence is a key part of the narrative.",
        ],
    ),
]

# The ten first-year priority areas for funding ("Objectives and work programme"), with the objective each
# most directly serves.
PRIORITY_AREAS = [
    ("after_school", "Expanding after-school provision in high-crime areas", 5),
    ("school_transition", "Supporting the transition from primary to secondary school", 5),
    ("school_exclusions", "Supporting schools to reduce school exclusions", 5),
    ("domestic_violence", "Extra support for young people affected by domestic violence", 1),
    ("supporting_parents", "Supporting parents (parenting programmes)", 2),
    ("youth_workers", "Investing in London's youth workers (training and development)", 6),
    ("young_persons_action_group", "Young Persons' Action Group", 3),
    ("prisons_yoi", "Piloting programmes in prisons and young offender institutions", 6),
    ("neighbourhood_csp", "Neighbourhood working with Community Safety Partnerships", 7),
    ("grassroots_knife_crime", "Investing in grassroots initiatives to combat knife crime", 4),
]

# Funding streams named under "Finance and Resources" (2019-20 amounts as stated there).
FUNDING_STREAMS = [
    ("vru_core_budget", "VRU budget (Mayor of London)", "£6.8 million for 2019–2020"),
    ("home_office_vru_grant", "Home Office VRU grant", "£7 million provisionally awarded"),
    ("mopac_safer_schools", "MOPAC safer schools funding", "£1 million"),
    ("young_londoners_fund", "GLA Young Londoners Fund", "£45 million fund"),
]
