"""Documents written to attack the pages that show them: script tags, elements with handlers, attribute breakers,
javascript: and data: links, SVG, entities that turn into tags when decoded once too often, Markdown links and
spreadsheet formulas, in file names, front matter, a metadata sidecar, headings, tables, paragraphs, the
recommendations the ledger quotes and the replies to them."""

import json

PAYLOADS = (
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert("x2")>',
    "'><svg onload=alert('x3')>",
    '<a href="javascript:alert(\'x4\')">x4</a>',
    'javascript:alert("x5")',
    '<svg><script>alert("x6")</script></svg>',
    '&lt;script&gt;alert("x7")&lt;/script&gt;',
    '" onmouseover="alert(\'x8\')" x="',
    "' autofocus onfocus='alert(\"x9\")' x='",
    '<iframe srcdoc="&lt;script&gt;alert(\'x10\')&lt;/script&gt;"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("x11")>',
    '<!--<img src=x onerror=alert("x12")>-->',
    '</title><base href="javascript:alert(\'x13\')//">',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgneDE0Jyk8L3NjcmlwdD4="></object>',
    '[x15](javascript:alert("x15")) ![x15](javascript:alert(1)) <javascript:alert("x15")>',
    '=HYPERLINK("http://evil.example/x16","x16")',
    "+cmd|' /C calc'!A0 x17",
    "@SUM(1+1) x18",
)
# a name on disk cannot hold "/", so no closing tag: these open one
FILE_PAYLOADS = ('"><img src=x onerror=alert("f1")>', "<svg onload=alert('f2')>", 'javascript:alert("f3")')
WELFARE = f"By 31 March 2024, the force should record the welfare of every child held in custody {PAYLOADS[0]} {PAYLOADS[1]}."
REPORT = "westshire-report"
RESPONSE = "westshire-response"


def _lines(template: str) -> str:
    return "\n\n".join(template.format(p) for p in PAYLOADS)


DOCUMENTS = {
    f"{REPORT}.md": f"""---
title: HMICFRS inspection of custody in Westshire {PAYLOADS[0]}
author: Inspector {PAYLOADS[1]}
inspectorate: HMICFRS {PAYLOADS[2]}
area: Westshire {PAYLOADS[8]}
inspection_type: Thematic {PAYLOADS[7]}
published: 15 January 2024
---
# HMICFRS inspection of custody in Westshire {PAYLOADS[5]}

This report was published on 15 January 2024. Inspectors visited the custody suites in October {PAYLOADS[6]}.

Title of Inspection\tCustody in Westshire {PAYLOADS[10]}
Type of Inspection\tThematic {PAYLOADS[3]}

## Recommendations

### Recommendation 1

{WELFARE}

### Recommendation 2

The force should stop holding children in police cells overnight {PAYLOADS[7]} {PAYLOADS[14]}.

## Findings

{_lines("Custody inspectors found that the force records {} in its detention logs.")}
""",
    f"{RESPONSE}.md": f"""# Response of the Police and Crime Commissioner for Westshire to the HMICFRS inspection of custody in Westshire

## Recommendation 1

{WELFARE}

The force accepts Recommendation 1 in full: the custody officer now records the welfare of every child {PAYLOADS[2]}.

## Commissioner's response

The force does not accept Recommendation 2, because {PAYLOADS[8]} children are moved out of police cells.

{_lines("The commissioner answered that custody records now hold {} for every child.")}

David Smith
Police and Crime Commissioner for Westshire
20 February 2024
""",
    **{f"{name}.txt": f"Custody detention {name} was found in the file name of this letter about custody.\n"
       for name in FILE_PAYLOADS},
    "saved-page.html": "<html><head><title>A saved page &lt;script&gt;alert('h1')&lt;/script&gt;</title></head><body>"
                       "<main><h1>Custody &lt;img src=x onerror=alert('h2')&gt;</h1>"
                       "<p>The custody page said &amp;lt;script&amp;gt;alert('h3')&amp;lt;/script&amp;gt; and "
                       "&lt;a href=\"javascript:alert('h4')\"&gt;link&lt;/a&gt;.</p>"
                       "<table><tr><td>Title of Inspection</td><td>&lt;svg onload=alert('h5')&gt;</td></tr></table>"
                       "</main></body></html>",
}
SIDECARS = {
    f"{RESPONSE}.meta.json": json.dumps({
        "title": f"Response of the Police and Crime Commissioner for Westshire to the HMICFRS inspection of custody in "
                 f"Westshire {PAYLOADS[9]}",
        "author": f"David Smith {PAYLOADS[11]}", "author_role": f"Commissioner {PAYLOADS[12]}",
        "inspectorate": f"HMICFRS {PAYLOADS[13]}", "inspection_type": f"Thematic {PAYLOADS[4]}",
        "area": f"Westshire {PAYLOADS[15]}", "doc_type": "pcc_response", "signed": "2024-02-20"}),
    # refused, its reason naming the field: a reason is shown too
    "saved-page.meta.json": json.dumps({PAYLOADS[0]: "x"}),
}
