{
    "name": "Automated Dunning: Automated Calls (Twilio)",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "summary": "Automated reminder calls through the company's Twilio account, with key-press "
    "answers, delivery callbacks and the consent rules for automated calls",
    "author": "odoo_automated_dunning developers",
    "license": "LGPL-3",
    "depends": ["odoo_automated_dunning", "sms_twilio"],
    "data": [
        "data/voice_template_data.xml",
        "data/ir_cron_data.xml",
        "views/dunning_level_views.xml",
        "views/dunning_communication_views.xml",
        "views/res_company_views.xml",
        "views/res_partner_views.xml",
        "report/dunning_effectiveness_report_views.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
