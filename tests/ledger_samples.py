"""Small reports and responses written for the ledger's tests: items under headings, by label and unnamed, a
committee report and the Government's response, a report with no response, and a title a spreadsheet would run."""

from datetime import date

NORTHSHIRE = "2024-01-15-northshire-custody-inspection"
PCC = "2024-02-20-pcc-response-northshire-custody"
FORCE = "2024-03-01-force-response-northshire-custody"
EASTSHIRE = "2023-05-10-eastshire-custody-inspection"
COMMITTEE = "children-in-custody-report"
GOVERNMENT = "government-response-children-in-custody"
SOUTHSHIRE = "2023-06-20-pcc-response-southshire-custody"
WELFARE = "By 31 December 2024, the force should record the welfare of every child held overnight in police custody."
URGE = "8.5. We urge ministers to publish each year how many children are held overnight in police cells."
FUND = ("8.6. We recommend that the Home Office should fund appropriate adults for every force by:\n\n"
        "- setting a national standard for how soon an appropriate adult attends a police station;\n"
        "- paying for out-of-hours cover in every force area.")
DOCUMENTS = {
    NORTHSHIRE: f"""# HMICFRS inspection of custody services in Northshire

This report was published on 15 January 2024. Inspectors visited the custody suites of Northshire Police in October.

## Recommendations

### Recommendation 1

{WELFARE}

### Recommendation 2a

Within six months, the force should make sure that a custody inspector reviews every strip search of a child.

### Recommendation 2b

With immediate effect, the force should stop holding children in police cells for longer than four hours.

## Areas for improvement

The force should improve how custody staff record the voice of the child in detention logs.

## Causes of concern

Cause of concern 1 - Children wait too long for an appropriate adult to arrive at the custody suite.
""",
    PCC: """# Response of the Police and Crime Commissioner for Northshire to the HMICFRS inspection of custody services in Northshire

## Commissioner's response

I welcome the inspection of custody services in Northshire and thank the inspectors for their work.

The force accepts Recommendation 1 in full: the custody officer now records the welfare of every child held overnight at each review.

The force does not accept Recommendation 2a, because a sergeant already reviews every strip search of a child and a second review would delay release.

The force accepts Recommendation 2b in part: children are moved out of police cells within four hours whenever a bed is free in local authority accommodation.

The force has introduced a field in the detention log for the voice of the child, and custody staff have been trained to use it.

We will consider how an appropriate adult can be found sooner for children in custody; the matter is under review with the local authority.

David Smith
Police and Crime Commissioner for Northshire
20 February 2024
""",
    FORCE: f"""# Northshire Police response to the HMICFRS inspection of custody services in Northshire

## Recommendation 1

{WELFARE}

This recommendation has been implemented: welfare checks are recorded on every child's custody record.
""",
    EASTSHIRE: f"""# =HYPERLINK("http://example.com") HMICFRS inspection of custody services in Eastshire

This report was published on 10 May 2023. Inspectors visited the custody suites of Eastshire Police in March.

## Recommendations

### Recommendation 1

{WELFARE}
""",
    COMMITTEE: f"""# Children in police custody

This report of the committee was published on 4 March 2024 after an inquiry of eight months.

## Conclusions and recommendations

{URGE}

{FUND}
""",
    GOVERNMENT: f"""# Government response to the committee report Children in police custody

## Inquiry recommendation

{URGE}

The Government agrees with the Committee and will publish the figures each year from 2025.

## Inquiry recommendation

{FUND}

The Government accepts this recommendation in principle, but it cannot fund out-of-hours cover this year.
""",
    SOUTHSHIRE: """# Southshire PCC response to HMICFRS inspections

<b>Title of Inspection</b>\tHMICFRS inspection of custody services in Southshire\t
<b>Date Inspection Published</b>\t1 March 2023\t

## Commissioner's response

I welcome the report and will ask the Chief Constable for a plan to improve custody services in Southshire.

Jane Brown
Police and Crime Commissioner for Southshire
20 June 2023
""",
}
TODAY = date(2024, 3, 1)
