"""Published reference rates the addon ships with, from 2012 to the start of 2026.

This is seed data, not a live feed: every central bank keeps changing its rate, so users must
add each new rate as it is published (the reference-rate menu), or interest for later days
stops with a "missing rate" error rather than using a stale rate.

Each row is (reference, first day in force "YYYY-MM-DD", rate in % per year as a string); a
rate stays in force until the next row of the same reference. The first row of each series is
the rate already in force on 1 January 2012. Rows are sorted by reference, then date.

Sources:
- ``boe_base``: Bank of England, Bank Rate history (the date a change took effect).
- ``de_base``: Deutsche Bundesbank, Basiszinssatz under section 247 BGB, one row per half-year
  (1 January / 1 July) as published, unchanged half-years included.
- ``ecb_mro``: European Central Bank, key ECB interest rates: the main refinancing operations
  rate (fixed-rate tenders), on the date each change took effect.
"""

RATES = (
    # Bank of England Bank Rate.
    ("boe_base", "2009-03-05", "0.50"),
    ("boe_base", "2016-08-04", "0.25"),
    ("boe_base", "2017-11-02", "0.50"),
    ("boe_base", "2018-08-02", "0.75"),
    ("boe_base", "2020-03-11", "0.25"),
    ("boe_base", "2020-03-19", "0.10"),
    ("boe_base", "2021-12-16", "0.25"),
    ("boe_base", "2022-02-03", "0.50"),
    ("boe_base", "2022-03-17", "0.75"),
    ("boe_base", "2022-05-05", "1.00"),
    ("boe_base", "2022-06-16", "1.25"),
    ("boe_base", "2022-08-04", "1.75"),
    ("boe_base", "2022-09-22", "2.25"),
    ("boe_base", "2022-11-03", "3.00"),
    ("boe_base", "2022-12-15", "3.50"),
    ("boe_base", "2023-02-02", "4.00"),
    ("boe_base", "2023-03-23", "4.25"),
    ("boe_base", "2023-05-11", "4.50"),
    ("boe_base", "2023-06-22", "5.00"),
    ("boe_base", "2023-08-03", "5.25"),
    ("boe_base", "2024-08-01", "5.00"),
    ("boe_base", "2024-11-07", "4.75"),
    ("boe_base", "2025-02-06", "4.50"),
    ("boe_base", "2025-05-08", "4.25"),
    ("boe_base", "2025-08-07", "4.00"),
    # Cut to 3.75 by the MPC's 5-4 vote of 18 December 2025, effective that day (reported e.g.
    # by https://www.sjp.co.uk/individuals/news/boe-cuts-interest-rates, 19 Dec 2025); held at
    # 3.75 on 5 February 2026. Later decisions were not verified: add them as published.
    ("boe_base", "2025-12-18", "3.75"),
    # Deutsche Bundesbank Basiszinssatz (negative from 2013 to 2022).
    ("de_base", "2012-01-01", "0.12"),
    ("de_base", "2012-07-01", "0.12"),
    ("de_base", "2013-01-01", "-0.13"),
    ("de_base", "2013-07-01", "-0.38"),
    ("de_base", "2014-01-01", "-0.63"),
    ("de_base", "2014-07-01", "-0.73"),
    ("de_base", "2015-01-01", "-0.83"),
    ("de_base", "2015-07-01", "-0.83"),
    ("de_base", "2016-01-01", "-0.83"),
    ("de_base", "2016-07-01", "-0.88"),
    ("de_base", "2017-01-01", "-0.88"),
    ("de_base", "2017-07-01", "-0.88"),
    ("de_base", "2018-01-01", "-0.88"),
    ("de_base", "2018-07-01", "-0.88"),
    ("de_base", "2019-01-01", "-0.88"),
    ("de_base", "2019-07-01", "-0.88"),
    ("de_base", "2020-01-01", "-0.88"),
    ("de_base", "2020-07-01", "-0.88"),
    ("de_base", "2021-01-01", "-0.88"),
    ("de_base", "2021-07-01", "-0.88"),
    ("de_base", "2022-01-01", "-0.88"),
    ("de_base", "2022-07-01", "-0.88"),
    ("de_base", "2023-01-01", "1.62"),
    ("de_base", "2023-07-01", "3.12"),
    ("de_base", "2024-01-01", "3.62"),
    ("de_base", "2024-07-01", "3.37"),
    ("de_base", "2025-01-01", "2.27"),
    ("de_base", "2025-07-01", "1.27"),
    # Unchanged on 1 January 2026: the ECB rate stayed at 2.15 since June 2025 (Bundesbank
    # announcement "Bekanntgabe des Basiszinssatzes zum 1. Januar 2026: Basiszinssatz bleibt
    # unverändert bei 1,27 %"). 1 July 2026 was not verified: add it as published.
    ("de_base", "2026-01-01", "1.27"),
    # ECB main refinancing operations rate.
    ("ecb_mro", "2011-12-14", "1.00"),
    ("ecb_mro", "2012-07-11", "0.75"),
    ("ecb_mro", "2013-05-08", "0.50"),
    ("ecb_mro", "2013-11-13", "0.25"),
    ("ecb_mro", "2014-06-11", "0.15"),
    ("ecb_mro", "2014-09-10", "0.05"),
    ("ecb_mro", "2016-03-16", "0.00"),
    ("ecb_mro", "2022-07-27", "0.50"),
    ("ecb_mro", "2022-09-14", "1.25"),
    ("ecb_mro", "2022-11-02", "2.00"),
    ("ecb_mro", "2022-12-21", "2.50"),
    ("ecb_mro", "2023-02-08", "3.00"),
    ("ecb_mro", "2023-03-22", "3.50"),
    ("ecb_mro", "2023-05-10", "3.75"),
    ("ecb_mro", "2023-06-21", "4.00"),
    ("ecb_mro", "2023-08-02", "4.25"),
    ("ecb_mro", "2023-09-20", "4.50"),
    ("ecb_mro", "2024-06-12", "4.25"),
    ("ecb_mro", "2024-09-18", "3.65"),
    ("ecb_mro", "2024-10-23", "3.40"),
    ("ecb_mro", "2024-12-18", "3.15"),
    ("ecb_mro", "2025-02-05", "2.90"),
    ("ecb_mro", "2025-03-12", "2.65"),
    ("ecb_mro", "2025-04-23", "2.40"),
    ("ecb_mro", "2025-06-11", "2.15"),
    # Unchanged to the end of 2025 (the Bundesbank's 1 January 2026 base-rate announcement
    # names 2.15 as the latest main refinancing rate); 2026 decisions were not verified.
)
