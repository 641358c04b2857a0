"""Which answers decide each RLS criterion (spec §4.2), so a case page can show the answers
next to the T/F/U they produced."""

RLS_CRITERIA = {
    "C1": ("Urge to move the legs, usually with unpleasant sensations", ("rls_c1_urge",)),
    "C2": ("Begins or worsens at rest", ("rls_c2_rest",)),
    "C3": ("Relieved by movement", ("rls_c3_movement_relief",)),
    "C4": ("Worse in the evening or night", ("rls_c4_evening",)),
    "C5": (
        "Not solely explained by another condition (mimics)",
        ("leg_main_problem", "position_shift_relief"),
    ),
}
