#!/usr/bin/env python3
"""Generate examples/data/labeled.csv: a held-out evaluation set for rules.

The comments are fictional and written for this project, for the same
business as comments.csv (an online music and media retailer: CDs, vinyl,
downloads, a streaming subscription, website, mobile app, loyalty points,
phone/chat/email service, home delivery), but none is copied from it.

Each entry of COMMENTS is (text, expected). `expected` lists the issue ids a
careful human analyst would assign, `;`-separated, empty when the comment
raises no issue of the taxonomy (neutral questions, pure negations such as
"no problems with billing this time", off-topic remarks). The labels were
written from the meaning of each comment, before and independently of any
rule file; they must never be edited to make rules look better.

The set deliberately contains hard cases: negations that are not complaints,
negations that are the complaint ("my refund was never processed"),
contrast ("friendly staff but the parcel was late"), pseudo-negations
("no problem", "not only", "can't fault"), multi-issue comments, typos and
informal style, emoji, sarcasm, and comments in French, German, Spanish and
Dutch.

Output: labeled.csv next to this script, columns id,text,expected, written
with the csv module (QUOTE_MINIMAL, "\\n" line terminator), UTF-8. Ids are
lb-0001.. in a fixed shuffled order (seeded), so that neighbouring rows do
not share a topic.

    python3 examples/data/make_labeled.py
"""

import csv
import os
import random

# The taxonomy the labels refer to: issue id -> (building block, kind).
ISSUES = {
    # improvement: defects, delays, billing errors, outages, broken processes
    "billing.double_charge": ("improvement", "problem"),
    "billing.wrong_amount": ("improvement", "problem"),
    "billing.refund_missing": ("improvement", "problem"),
    "billing.charged_after_cancel": ("improvement", "problem"),
    "billing.unannounced_increase": ("improvement", "problem"),
    "delivery.late": ("improvement", "problem"),
    "delivery.not_received": ("improvement", "problem"),
    "delivery.damaged": ("improvement", "problem"),
    "delivery.wrong_item": ("improvement", "problem"),
    "delivery.no_tracking": ("improvement", "problem"),
    "returns.difficult": ("improvement", "problem"),
    "digital.download_fails": ("improvement", "problem"),
    "digital.streaming_buffering": ("improvement", "problem"),
    "digital.app_crash": ("improvement", "problem"),
    "digital.login": ("improvement", "problem"),
    "digital.outage": ("improvement", "problem"),
    "digital.checkout_error": ("improvement", "problem"),
    "service.long_wait": ("improvement", "problem"),
    "service.no_reply": ("improvement", "problem"),
    "service.unresolved": ("improvement", "problem"),
    "service.no_callback": ("improvement", "problem"),
    # culture
    "service.rude": ("culture", "problem"),
    "service.indifferent": ("culture", "problem"),
    # customer intelligence
    "data.repeat_info": ("customer_intelligence", "problem"),
    "data.no_history": ("customer_intelligence", "problem"),
    "data.wrong_data": ("customer_intelligence", "problem"),
    "data.irrelevant_offers": ("customer_intelligence", "problem"),
    "data.privacy": ("customer_intelligence", "problem"),
    # customer lifetime value / relationship
    "loyalty.long_time_ignored": ("clv", "problem"),
    "value.poor_value": ("clv", "problem"),
    "value.price_increase": ("clv", "problem"),
    "loyalty.new_customer_deals": ("clv", "problem"),
    # customer-focused strategy
    "strategy.punishing_policy": ("cx_strategy", "problem"),
    "strategy.profit_first": ("cx_strategy", "problem"),
    "strategy.preorder_nonrefundable": ("cx_strategy", "problem"),
    "strategy.physical_neglected": ("cx_strategy", "problem"),
    # customer voice
    "voice.feedback_ignored": ("customer_voice", "problem"),
    "voice.no_way_to_complain": ("customer_voice", "problem"),
    "voice.survey_fatigue": ("customer_voice", "problem"),
    # engaging externally
    "comms.misleading_ad": ("engaging_externally", "problem"),
    "comms.no_notification": ("engaging_externally", "problem"),
    "comms.spam": ("engaging_externally", "problem"),
    "comms.confusing": ("engaging_externally", "problem"),
    "loyalty.points_expired": ("engaging_externally", "problem"),
    "loyalty.programme_unattractive": ("engaging_externally", "problem"),
    # engaging internally (employees, partners)
    "service.transferred": ("engaging_internally", "problem"),
    "service.agent_knowledge": ("engaging_internally", "problem"),
    "service.no_authority": ("engaging_internally", "problem"),
    "service.inconsistent_answers": ("engaging_internally", "problem"),
    "delivery.courier_conduct": ("engaging_internally", "problem"),
    # innovation: opportunities
    "idea.hires_audio": ("innovation", "opportunity"),
    "idea.vinyl_preorder": ("innovation", "opportunity"),
    "idea.gift_cards": ("innovation", "opportunity"),
    "idea.recommendations": ("innovation", "opportunity"),
    "idea.family_plan": ("innovation", "opportunity"),
    "idea.offline_mode": ("innovation", "opportunity"),
    "idea.payment_methods": ("innovation", "opportunity"),
    "idea.store_pickup": ("innovation", "opportunity"),
    "idea.restock_alerts": ("innovation", "opportunity"),
    # praise
    "praise.fast_delivery": ("improvement", "praise"),
    "praise.packaging": ("improvement", "praise"),
    "praise.easy_app": ("improvement", "praise"),
    "praise.helpful_staff": ("culture", "praise"),
    "praise.selection": ("clv", "praise"),
    "praise.overall": ("clv", "praise"),
}

# (text, expected issue ids separated by ";")
COMMENTS = [
    # --- billing ---------------------------------------------------------
    ("I was charged twice for the same order, two identical payments of "
     "€34.98 on my card.", "billing.double_charge"),
    ("why did you take the money twice?? one order, two debits",
     "billing.double_charge"),
    ("Doppelte Abbuchung für eine einzige Bestellung, bitte sofort "
     "zurückbuchen.", "billing.double_charge"),
    ("Paid for the vinyl with PayPal and the payment went through twice. "
     "I'm still waiting for the second one to be refunded.",
     "billing.double_charge;billing.refund_missing"),
    ("charged 2x for one order wtf", "billing.double_charge"),
    ("I was billed 29.99 but the order total said 24.99.",
     "billing.wrong_amount"),
    ("The discount code was accepted at checkout but not applied on the "
     "invoice, so I paid full price.", "billing.wrong_amount"),
    ("You charged me in dollars instead of euros and my bank added a fee on "
     "top.", "billing.wrong_amount"),
    ("Invoice shows 3 items, I only bought 2.", "billing.wrong_amount"),
    ("My refund was never processed. Returned the headphones four weeks "
     "ago.", "billing.refund_missing"),
    ("Returned a faulty turntable on 2 May, you confirmed receipt, still no "
     "money back.", "billing.refund_missing"),
    ("Je n'ai jamais reçu mon remboursement, ça fait un mois.",
     "billing.refund_missing"),
    ("my refund still hasnt come through and it's been 3 weeks",
     "billing.refund_missing"),
    ("where's my refnd??? returned it ages ago", "billing.refund_missing"),
    ("Wacht al 3 weken op mijn terugbetaling.", "billing.refund_missing"),
    ("They told me the refund was processed, my bank says it wasn't.",
     "billing.refund_missing"),
    ("I cancelled my streaming subscription in March and you still charged "
     "me in April and May.", "billing.charged_after_cancel"),
    ("Cancelled the premium plan, got the confirmation email, and was billed "
     "again the next month anyway.", "billing.charged_after_cancel"),
    ("Still being charged for a subscription I cancelled weeks ago!! Give me "
     "my money back.", "billing.charged_after_cancel"),
    ("He cancelado la suscripción y me siguen cobrando cada mes.",
     "billing.charged_after_cancel"),
    ("Cancelled my order within 5 minutes and you still shipped it and "
     "charged me.", "billing.charged_after_cancel"),
    ("Subscription went from 9.99 to 11.99 and nobody told me, I only "
     "noticed on my bank statement.", "billing.unannounced_increase"),
    ("You raised the monthly fee without any notice. At least send an email "
     "before you take more money.", "billing.unannounced_increase"),
    ("Why is my subscription suddenly 12.99 instead of 10.99? No email, no "
     "warning.", "billing.unannounced_increase"),
    ("I didn't get any email about the price change and now my subscription "
     "costs more.", "billing.unannounced_increase"),

    # --- delivery ----------------------------------------------------------
    ("Friendly staff on the phone but the parcel was still three days late.",
     "praise.helpful_staff;delivery.late"),
    ("Order was supposed to arrive Friday, came the following Thursday.",
     "delivery.late"),
    ("Delivery delayed again. This is the third time the date has been "
     "pushed back.", "delivery.late"),
    ("Super Auswahl, aber die Lieferung hat zwei Wochen gedauert.",
     "praise.selection;delivery.late"),
    ("Took 3 weeks to deliver a single CD. In 2026.", "delivery.late"),
    ("La livraison a pris presque un mois, alors que le site annonçait "
     "3 jours.", "delivery.late"),
    ("delivry was sooo slow omg", "delivery.late"),
    ("Son muy lentos enviando, tardó tres semanas.", "delivery.late"),
    ("the vinyl is great, the wait was not 🙃 3 weeks", "delivery.late"),
    ("Ordered the Blue Harbour box set on the 3rd, it's now the 19th and "
     "still nothing. Tracking hasn't moved in ten days.",
     "delivery.not_received;delivery.no_tracking"),
    ("Tracking says delivered but nothing arrived. Neighbours haven't got "
     "it either.", "delivery.not_received"),
    ("My parcel never turned up.", "delivery.not_received"),
    ("Mijn bestelling is nooit bezorgd en niemand reageert op mijn "
     "e-mails.", "delivery.not_received;service.no_reply"),
    ("still waiting for my parcel 😡😡 2 weeks now", "delivery.not_received"),
    ("Lost parcel, second time this year. Where is my order??",
     "delivery.not_received"),
    ("Not received. Order 88213.", "delivery.not_received"),
    ("I don't want another 'we value your feedback' email, I want my CD.",
     "delivery.not_received"),
    ("The vinyl arrived with a cracked sleeve and a warped record. Packaging "
     "was just a thin envelope.", "delivery.damaged"),
    ("El pedido llegó roto, la caja estaba aplastada.", "delivery.damaged"),
    ("The box arrived, but the record inside was scratched.",
     "delivery.damaged"),
    ("CD case smashed to pieces, disc has a crack across it.",
     "delivery.damaged"),
    ("Die Platte kam verbogen an.", "delivery.damaged"),
    ("Sent the wrong album — I ordered the 2019 remaster and got the "
     "original pressing.", "delivery.wrong_item"),
    ("recieved the wrong item AGAIN", "delivery.wrong_item"),
    ("Ordered black vinyl, got the red variant. Not what I paid for.",
     "delivery.wrong_item"),
    ("Two CDs in my order, only one in the box and someone else's DVD "
     "instead of the other.", "delivery.wrong_item"),
    ("The tracking link just says 'label created' for a week.",
     "delivery.no_tracking"),
    ("There's no tracking number anywhere in my account, so I have no idea "
     "where my order is.", "delivery.no_tracking"),
    ("tracking page doesn't work, error every time i click it",
     "delivery.no_tracking"),
    ("No tracking number and no parcel. It's been 3 weeks.",
     "delivery.no_tracking;delivery.not_received"),
    ("The courier left my parcel in the rain by the bins and took a photo "
     "of it.", "delivery.courier_conduct"),
    ("Delivery driver didn't even ring, just left a card and drove off "
     "while I was home.", "delivery.courier_conduct"),
    ("The driver was rude and threw the box over the gate.",
     "delivery.courier_conduct"),

    # --- returns -----------------------------------------------------------
    ("Returning an item is a nightmare, I had to print a label, find a box "
     "and queue at the post office.", "returns.difficult"),
    ("The returns form on your site gives an error so I can't send the "
     "faulty CD back.", "returns.difficult"),
    ("Why do I have to call to get a return label? Other shops just email "
     "it.", "returns.difficult"),
    ("Die Rücksendung ist viel zu kompliziert.", "returns.difficult"),

    # --- digital -----------------------------------------------------------
    ("The download link gives an error 403 every time I try to download the "
     "FLAC files I paid for.", "digital.download_fails"),
    ("Not happy. The download never finished and now it says I've used my "
     "3 download attempts.", "digital.download_fails"),
    ("Bought an album as mp3 and the zip file is corrupt, can't open it.",
     "digital.download_fails"),
    ("Les téléchargements ne marchent pas depuis hier.",
     "digital.download_fails"),
    ("cant downlod the album i bought yesterday", "digital.download_fails"),
    ("Couldn't download the booklet PDF that came with the album.",
     "digital.download_fails"),
    ("An update broke the download feature, tracks show 0 bytes.",
     "digital.download_fails"),
    ("I have been charged for a download I never managed to get.",
     "digital.download_fails"),
    ("Streaming keeps buffering every 30 seconds on my home wifi, other "
     "apps are fine.", "digital.streaming_buffering"),
    ("music stops every few seconds to load... unusable on the train",
     "digital.streaming_buffering"),
    ("Playback stutters and skips on the desktop player since last week.",
     "digital.streaming_buffering"),
    ("Het streamen hapert constant.", "digital.streaming_buffering"),
    ("The app crashes as soon as I open the library tab. iPhone 13, latest "
     "update.", "digital.app_crash"),
    ("the app keeps crashin when i try to play anything",
     "digital.app_crash"),
    ("App freezes and closes itself on Android 14.", "digital.app_crash"),
    ("It's not that the prices are high, it's that the app never works.",
     "digital.app_crash"),
    ("Die App stürzt ständig ab.", "digital.app_crash"),
    ("Oh great, another 'update' that broke the app. Crashes on startup "
     "now 🙄", "digital.app_crash"),
    ("Can't log in since the update, it says my password is wrong but the "
     "reset email never comes.", "digital.login"),
    ("Logged out every time I close the app and have to type my password "
     "again.", "digital.login"),
    ("I can't sign in with my Google account anymore.", "digital.login"),
    ("Account locked after one wrong password attempt, and unlocking takes "
     "24 hours?!", "digital.login"),
    ("app wont let me log in smh", "digital.login"),
    ("Website was down all Saturday evening, right when the Record Day drop "
     "went live.", "digital.outage"),
    ("Site not loading for the last 2 hours. 502 errors everywhere.",
     "digital.outage"),
    ("Is the service down? Nothing plays and the website won't load.",
     "digital.outage"),
    ("La web no funciona desde esta mañana.", "digital.outage"),
    ("Checkout keeps failing at the payment step, tried three cards.",
     "digital.checkout_error"),
    ("Clicking 'place order' just spins forever and then empties my "
     "basket.", "digital.checkout_error"),
    ("Error at checkout, my card was declined but the bank says it's fine.",
     "digital.checkout_error"),

    # --- service -----------------------------------------------------------
    ("Waited 55 minutes on hold before someone picked up.",
     "service.long_wait"),
    ("45 min in the chat queue just to ask a simple question",
     "service.long_wait"),
    ("I was on hold for over an hour and then the line went dead.",
     "service.long_wait"),
    ("40 Minuten in der Warteschleife, und dann wurde ich getrennt.",
     "service.long_wait"),
    ("Waited over an hour for the chat to connect.", "service.long_wait"),
    ("Couldn't get through to anyone for two days, the phone line just "
     "rings out.", "service.long_wait"),
    ("I emailed customer service three times last week and got no reply at "
     "all.", "service.no_reply"),
    ("Sent a message through the contact form 10 days ago. Not even an "
     "automatic acknowledgement.", "service.no_reply"),
    ("Nobody answers my emails.", "service.no_reply"),
    ("Aucune réponse à mes mails depuis deux semaines.", "service.no_reply"),
    ("waited 3 days for a reply to a simple chat question",
     "service.no_reply"),
    ("Not a single email answered in a month, so I'm taking my business "
     "elsewhere.", "service.no_reply"),
    ("I called twice, opened a ticket, and the problem is still not "
     "solved.", "service.unresolved"),
    ("Third contact about the same issue and nothing has been fixed.",
     "service.unresolved"),
    ("Ticket closed as 'resolved' but nothing was resolved. I still can't "
     "download my album.", "service.unresolved;digital.download_fails"),
    ("They promised to call me back within 24 hours. That was last "
     "Monday.", "service.no_callback"),
    ("Nobody called me back, as usual.", "service.no_callback"),
    ("Was told a supervisor would ring me. Still waiting for that call.",
     "service.no_callback"),
    ("Kundenservice hat nie zurückgerufen.", "service.no_callback"),
    ("Was promised a callback by a manager, never happened.",
     "service.no_callback"),
    ("The agent was rude and hung up on me.", "service.rude"),
    ("Extremely condescending woman on the phone, made me feel stupid for "
     "asking.", "service.rude"),
    ("El agente fue muy maleducado conmigo.", "service.rude"),
    ("the guy in chat was sarcastic and unhelpful", "service.rude"),
    ("Le personnel était désagréable au téléphone.", "service.rude"),
    ("Nobody seemed to care that my order was lost, just 'these things "
     "happen'.", "service.indifferent;delivery.not_received"),
    ("I felt like just a number, they read from a script and didn't "
     "listen.", "service.indifferent"),
    ("The staff couldn't care less. Shrugged and said it's not their "
     "department.", "service.indifferent"),
    ("Het interesseerde de medewerker totaal niet.", "service.indifferent"),
    ("the staff didn't care at all, just wanted to end the call",
     "service.indifferent"),
    ("I've been passed from billing to logistics and back to billing, "
     "nobody owns the problem.", "service.transferred"),
    ("Transferred four times on one call, had to explain everything each "
     "time.", "service.transferred;data.repeat_info"),
    ("Chat bot sent me to email, email sent me to the phone line, phone "
     "line sent me to the chat.", "service.transferred"),
    ("The chat agent didn't know how the points work, she had to guess.",
     "service.agent_knowledge"),
    ("The person on the phone had no idea what a pre-order was.",
     "service.agent_knowledge"),
    ("Staff clearly not trained on the new app, he kept asking me how it "
     "works.", "service.agent_knowledge"),
    ("Die Mitarbeiterin hatte keine Ahnung.", "service.agent_knowledge"),
    ("Agent said she wasn't allowed to issue a refund above 20 euros and "
     "had to escalate.", "service.no_authority"),
    ("Nobody on the phone is authorised to do anything, everything needs a "
     "manager.", "service.no_authority"),
    ("He said he'd love to help but his system won't let him change the "
     "order.", "service.no_authority"),
    ("Each agent told me something different about whether I'd get a "
     "refund.", "service.inconsistent_answers"),
    ("Chat said one thing, the email said the opposite.",
     "service.inconsistent_answers"),
    ("First I was told 5 days, then 10, then 'we can't say'.",
     "service.inconsistent_answers"),

    # --- customer intelligence --------------------------------------------
    ("Every time I call I have to give my order number, address and the "
     "whole story again.", "data.repeat_info"),
    ("Had to repeat my details three times in one chat.",
     "data.repeat_info"),
    ("Why do I need to explain the problem again? It's all in the ticket.",
     "data.repeat_info"),
    ("The person on the phone couldn't see any of my previous emails, so I "
     "started from scratch.", "data.no_history;data.repeat_info"),
    ("Your agents have no record of my earlier complaints.",
     "data.no_history"),
    ("Apparently there's no note on my account of the call last week.",
     "data.no_history"),
    ("Your system still has my old address even though I changed it "
     "twice.", "data.wrong_data"),
    ("My name is spelled wrong on every email and invoice.",
     "data.wrong_data"),
    ("Parcel went to my old address again, I updated it months ago!",
     "data.wrong_data"),
    ("Falsche Adresse in meinem Konto, obwohl ich sie geändert habe.",
     "data.wrong_data"),
    ("Wrong address on the parcel because your system changed it back to "
     "my old one.", "data.wrong_data"),
    ("Recently I keep getting emails for the same boxset I bought last "
     "month.", "data.irrelevant_offers"),
    ("Recommendations are terrible, I buy jazz and get suggested kids' "
     "pop.", "data.irrelevant_offers"),
    ("Why do you keep offering me the streaming trial? I've been a "
     "subscriber for 3 years.", "data.irrelevant_offers"),
    ("Someone else's name and address showed up on my order confirmation. "
     "That's a data breach.", "data.privacy"),
    ("I can see another customer's order history in my account!",
     "data.privacy"),
    ("Why was my email address shared with a concert promoter? I never "
     "agreed to that.", "data.privacy"),
    ("why do u need my date of birth to buy a cd lol", "data.privacy"),
    ("Price is fine, delivery is fine, but why does the app need my "
     "location?", "data.privacy"),

    # --- customer lifetime value -------------------------------------------
    ("Customer for 15 years and I'm treated like a stranger. Not even a "
     "small gesture.", "loyalty.long_time_ignored"),
    ("Been with you since the days of mail order catalogues and this is how "
     "you treat loyal customers.", "loyalty.long_time_ignored"),
    ("Ten years of orders and no recognition whatsoever.",
     "loyalty.long_time_ignored"),
    ("Seit 20 Jahren Kunde und so werde ich behandelt.",
     "loyalty.long_time_ignored"),
    ("Twelve euros for a standard CD plus shipping is not good value any "
     "more, the supermarket is cheaper.", "value.poor_value"),
    ("Way too expensive compared to other online shops.",
     "value.poor_value"),
    ("The premium tier isn't worth the money, same catalogue as the free "
     "one with fewer ads.", "value.poor_value"),
    ("Trop cher pour ce que c'est.", "value.poor_value"),
    ("Love the selection, hate the prices 💸",
     "praise.selection;value.poor_value"),
    ("You've put the prices up again. Third time this year.",
     "value.price_increase"),
    ("Vinyl prices have gone up by 30% in a year, I'm buying far less now.",
     "value.price_increase"),
    ("Another price hike? Seriously?", "value.price_increase"),
    ("New customers get 30% off and those of us who've been buying for "
     "years get nothing.", "loyalty.new_customer_deals"),
    ("Why do new subscribers get three months free while existing ones pay "
     "full price?", "loyalty.new_customer_deals"),
    ("The welcome discount is only for new accounts. Loyal customers don't "
     "count apparently.", "loyalty.new_customer_deals"),

    # --- strategy ----------------------------------------------------------
    ("The new returns policy is a joke, 14 days instead of 30 and we pay "
     "the postage now.", "strategy.punishing_policy"),
    ("Removing free delivery for orders under 50 is a slap in the face.",
     "strategy.punishing_policy"),
    ("Now you charge a fee to pay by card? Punishing your own customers.",
     "strategy.punishing_policy"),
    ("Your T&Cs changed so that unused store credit now expires after "
     "6 months. Not cool.", "strategy.punishing_policy"),
    ("Your new policy of charging for paper invoices is just another way to "
     "squeeze us.", "strategy.punishing_policy;strategy.profit_first"),
    ("It's clear you only care about profit these days.",
     "strategy.profit_first"),
    ("All about squeezing money out of us, customers come last.",
     "strategy.profit_first"),
    ("Greedy company. Shareholders first, music lovers never.",
     "strategy.profit_first"),
    ("Pre-orders can't be cancelled or refunded even if the release date "
     "moves by six months. That's unfair.",
     "strategy.preorder_nonrefundable"),
    ("Why is my pre-order non-refundable? The album got delayed to next "
     "year.", "strategy.preorder_nonrefundable"),
    ("Tried to cancel a pre-order and was told pre-orders are final. "
     "Ridiculous.", "strategy.preorder_nonrefundable"),
    ("You used to be a music shop. Now it's all streaming and the CD "
     "section is an afterthought.", "strategy.physical_neglected"),
    ("Feels like you've given up on vinyl buyers, the new releases page "
     "only shows streaming.", "strategy.physical_neglected"),
    ("Please don't forget those of us who still buy CDs.",
     "strategy.physical_neglected"),

    # --- customer voice ----------------------------------------------------
    ("I filled in your survey, wrote a long comment about the app, and "
     "nothing ever changed. Why bother.", "voice.feedback_ignored"),
    ("Nobody listens. I've suggested the same fix three times.",
     "voice.feedback_ignored"),
    ("You ask for feedback and then ignore it.", "voice.feedback_ignored"),
    ("There is no way to make a complaint on your website, no form, no "
     "email address, nothing.", "voice.no_way_to_complain"),
    ("Where do I even complain? The contact page only has FAQs.",
     "voice.no_way_to_complain"),
    ("Impossible de trouver un formulaire de réclamation sur le site.",
     "voice.no_way_to_complain"),
    ("Your chatbot is useless, I just want to talk to a human.",
     "voice.no_way_to_complain"),
    ("Third survey this week. Please stop asking me to rate every single "
     "order.", "voice.survey_fatigue"),
    ("Too many surveys. I bought one CD, I don't need 4 emails asking how "
     "it went.", "voice.survey_fatigue"),
    ("Enough with the 'how did we do' pop-ups in the app!",
     "voice.survey_fatigue"),
    ("The 'survey' was 40 questions long. Never again.",
     "voice.survey_fatigue"),

    # --- engaging externally ----------------------------------------------
    ("The ad said free shipping on everything but at checkout I was charged "
     "4.99 delivery.", "comms.misleading_ad"),
    ("'Limited edition' my foot, it's been on sale for two years.",
     "comms.misleading_ad"),
    ("The banner promised 50% off all vinyl, turned out to be about six "
     "titles.", "comms.misleading_ad"),
    ("I received my order but not the bonus poster the ad promised.",
     "comms.misleading_ad"),
    ("The 'hi-res' downloads are just upsampled MP3s. False advertising.",
     "comms.misleading_ad"),
    ("No shipping confirmation, no tracking email, nothing. Had no idea if "
     "my order was even sent.", "comms.no_notification"),
    ("I didn't receive my order confirmation email, but the parcel arrived "
     "fine.", "comms.no_notification"),
    ("Keine Versandbestätigung bekommen.", "comms.no_notification"),
    ("I get four emails a day from you. Unsubscribed and they keep "
     "coming.", "comms.spam"),
    ("Stop spamming me with newsletters!!!", "comms.spam"),
    ("Too many push notifications from the app, I turned them all off.",
     "comms.spam"),
    ("Demasiados correos promocionales.", "comms.spam"),
    ("Warum bekomme ich jeden Tag drei Newsletter?", "comms.spam"),
    ("Unsubscribe link doesn't work. Still getting your emails.",
     "comms.spam"),
    ("Your email about the subscription changes was so confusing I can't "
     "tell if I'm paying more or less.", "comms.confusing"),
    ("The terms of the loyalty scheme are impossible to understand.",
     "comms.confusing"),
    ("Your invoice is unreadable, I can't work out what I paid for.",
     "comms.confusing"),
    ("My 500 points expired without any warning. That was a free album.",
     "loyalty.points_expired"),
    ("Points vanished from my account after 12 months. Nobody mentioned "
     "they expire.", "loyalty.points_expired"),
    ("Meine Punkte sind einfach verfallen.", "loyalty.points_expired"),
    ("The loyalty programme is pointless, you need to spend 1000 euros to "
     "get a 5 euro voucher.", "loyalty.programme_unattractive"),
    ("Rewards are not worth the bother. Other shops give double.",
     "loyalty.programme_unattractive"),
    ("The points scheme is so stingy I stopped caring about it.",
     "loyalty.programme_unattractive"),

    # --- innovation ----------------------------------------------------------
    ("It would be great if you offered lossless or hi-res streaming, I'd "
     "pay extra.", "idea.hires_audio"),
    ("Any plans for 24-bit downloads?", "idea.hires_audio"),
    ("Why no lossless? Every competitor has it now.", "idea.hires_audio"),
    ("¿Para cuándo el audio sin pérdida?", "idea.hires_audio"),
    ("Please let us pre-order vinyl like other shops do, I always miss the "
     "limited pressings.", "idea.vinyl_preorder"),
    ("Would love a way to reserve upcoming LP releases.",
     "idea.vinyl_preorder"),
    ("Vinyl pre-orders would be amazing.", "idea.vinyl_preorder"),
    ("I wish you sold gift cards, would be perfect for my nephew's "
     "birthday.", "idea.gift_cards"),
    ("Digital gift vouchers please! Last-minute presents are hard.",
     "idea.gift_cards"),
    ("Ojalá tuvierais tarjetas regalo.", "idea.gift_cards"),
    ("Better recommendations based on what I actually buy would be nice.",
     "idea.recommendations"),
    ("Suggestion: a 'because you bought X' section on the homepage.",
     "idea.recommendations"),
    ("Would be great if the app learned my taste, like a weekly mix of new "
     "releases.", "idea.recommendations"),
    ("A family plan for the streaming subscription would save us from "
     "paying three times.", "idea.family_plan"),
    ("Please add a family subscription, we have three accounts in one "
     "house.", "idea.family_plan"),
    ("Un abonnement famille serait top.", "idea.family_plan"),
    ("Offline mode please! I commute on the underground with no signal.",
     "idea.offline_mode"),
    ("Let me save playlists for offline listening, I fly a lot.",
     "idea.offline_mode"),
    ("Ich wünsche mir einen Offline-Modus für die App.",
     "idea.offline_mode"),
    ("Please add PayPal or Apple Pay, I don't like typing my card details.",
     "idea.payment_methods"),
    ("Would be great to pay with iDEAL.", "idea.payment_methods"),
    ("Any chance of Klarna or paying in instalments for the big box sets?",
     "idea.payment_methods"),
    ("Could I collect orders from your Leeds store instead of waiting for "
     "delivery?", "idea.store_pickup"),
    ("Click and collect would be handy, I'm never home for deliveries.",
     "idea.store_pickup"),
    ("Option to pick up in store please.", "idea.store_pickup"),
    ("Graag een optie om af te halen in de winkel.", "idea.store_pickup"),
    ("Please email me when an out-of-stock record comes back.",
     "idea.restock_alerts"),
    ("A back-in-stock notification would save me checking every day.",
     "idea.restock_alerts"),
    ("Wish I could get an alert when a sold-out pressing is restocked.",
     "idea.restock_alerts"),

    # --- praise --------------------------------------------------------------
    ("Ordered Tuesday evening, on my doormat Wednesday morning. "
     "Impressive!", "praise.fast_delivery"),
    ("thx for the quick delivery, cd arrived next day 👍",
     "praise.fast_delivery"),
    ("Lieferung super schnell, danke!", "praise.fast_delivery"),
    ("Fast shipping as always.", "praise.fast_delivery"),
    ("Toujours livré rapidement, merci !", "praise.fast_delivery"),
    ("Marta on the chat was brilliant, sorted my issue in five minutes.",
     "praise.helpful_staff"),
    ("The lady on the phone was so patient and kind.",
     "praise.helpful_staff"),
    ("Muy amable el chico del chat, me ayudó con todo.",
     "praise.helpful_staff"),
    ("Big thanks to the support team, really helpful.",
     "praise.helpful_staff"),
    ("Klantenservice was erg behulpzaam.", "praise.helpful_staff"),
    ("I asked for a callback, got one within the hour. Great service.",
     "praise.helpful_staff"),
    ("Honestly nothing bad to say, the staff at the call centre are "
     "lovely.", "praise.helpful_staff"),
    ("I didn't have to repeat anything, the agent already had all my "
     "details. Impressive.", "praise.helpful_staff"),
    ("Best selection of jazz reissues I've found anywhere.",
     "praise.selection"),
    ("Great range of obscure stuff, found records I'd been hunting for "
     "years.", "praise.selection"),
    ("Geweldig aanbod van vinyl!", "praise.selection"),
    ("The app is really easy to use, found and bought the album in a "
     "minute.", "praise.easy_app"),
    ("Love the app 😍 so easy to find new stuff", "praise.easy_app"),
    ("New app design is clean and intuitive.", "praise.easy_app"),
    ("Since the update the app is much faster and easier to navigate.",
     "praise.easy_app"),
    ("The parcel wasn't damaged this time, well done on the new boxes.",
     "praise.packaging"),
    ("Records always arrive perfectly packed, proper cardboard mailers.",
     "praise.packaging"),
    ("Lovely packaging, even a thank-you note inside.", "praise.packaging"),
    ("Item arrived in perfect condition 👌", "praise.packaging"),
    ("Best online record shop, hands down.", "praise.overall"),
    ("Love you guys, keep it up!", "praise.overall"),
    ("Excellent shop, I recommend you to all my friends.",
     "praise.overall"),
    ("Always a pleasure to order here ❤️", "praise.overall"),
    ("you guys are the best!!! 🙌🙌", "praise.overall"),

    # --- no issue: questions, pure negations, off-topic ---------------------
    ("Do you ship to Norway?", ""),
    ("What are your opening hours for the phone line?", ""),
    ("No problem at all, I'll wait for the restock.", ""),
    ("Delivery wasn't late this time, so that's something.", ""),
    ("No problems with billing this time.", ""),
    ("Is it possible to change the email address on my account?", ""),
    ("How do I redeem my points?", ""),
    ("I'm writing about order 55123, just to confirm the address: "
     "14 Mill Lane.", ""),
    ("Great weather today, listening to the new record on the balcony.", ""),
    ("Wrong link in my message, please ignore the previous email.", ""),
    ("Never had a problem with delivery in ten years.", ""),
    ("No issues with the app since the update.", ""),
    ("Does the 2LP edition include a download code?", ""),
    ("Hi, when will the new Lana Ferro album be released on CD?", ""),
    ("Just checking: is the streaming plan billed monthly or yearly?", ""),
    ("My cat knocked over the turntable, nothing to do with you, just "
     "sad.", ""),
    ("Not complaining, just wondering if you'll stock the Japanese "
     "pressing.", ""),
    ("Can I change the delivery address for an order that's already "
     "shipped?", ""),
    ("Hola, ¿hacéis envíos a Canarias?", ""),
    ("Bonjour, est-ce que vous livrez en Belgique ?", ""),
    ("Kann ich auch per Rechnung bezahlen?", ""),
    ("Wat is het retouradres?", ""),
    ("The refund arrived yesterday, thanks. No need to reply.", ""),
    ("ok", ""),
    ("I wasn't charged twice after all, my bank showed a pending "
     "authorisation. Sorry for the confusion!", ""),
    ("The parcel didn't get lost, it was at my neighbour's. All good.", ""),
    ("Nothing to report, everything went fine.", ""),
    ("Forwarding this to my husband who placed the order.", ""),
    ("What's the difference between the standard and deluxe edition?", ""),
    ("No complaints about the delivery, just wanted to ask about the "
     "invoice for my tax return.", ""),
    ("I'm not cancelling, just pausing the subscription while I travel. "
     "How do I do that?", ""),
    ("Parcel arrived on time, no damage, no complaints.", ""),
    ("Awful. Just awful.", ""),

    # --- mixed, contrast, negation and pseudo-negation ----------------------
    ("Not only was it late, it was also the wrong colour vinyl.",
     "delivery.late;delivery.wrong_item"),
    ("Never again. Order lost, still no refund, and the agent laughed at "
     "me.", "delivery.not_received;billing.refund_missing;service.rude"),
    ("The app is great but the streaming keeps cutting out on 4G.",
     "praise.easy_app;digital.streaming_buffering"),
    ("Quick delivery, but the sleeve was bent.",
     "praise.fast_delivery;delivery.damaged"),
    ("Waited 2 hours on the phone, got transferred three times and the "
     "issue is still not fixed. I'm cancelling my account.",
     "service.long_wait;service.transferred;service.unresolved"),
    ("Double charged and no reply to my emails for a week. Switching to "
     "another shop.", "billing.double_charge;service.no_reply"),
    ("Points expired, prices up, and the app logs me out constantly. What "
     "happened to you?",
     "loyalty.points_expired;value.price_increase;digital.login"),
    ("The agent didn't know the returns policy and then couldn't authorise "
     "the refund herself.",
     "service.agent_knowledge;service.no_authority"),
    ("Nothing wrong with the app, but the delivery was a week late.",
     "delivery.late"),
    ("I don't mind paying a bit more, but the service has to work. Three "
     "calls and no solution.", "service.unresolved"),
    ("Great selection, terrible website. It's been down twice this week.",
     "praise.selection;digital.outage"),
    ("The vinyl wasn't damaged but it was the wrong pressing.",
     "delivery.wrong_item"),
    ("I never received a response to my complaint and the refund still "
     "isn't there.", "service.no_reply;billing.refund_missing"),
    ("Nobody called me back and nobody answers the email either.",
     "service.no_callback;service.no_reply"),
    ("I had no problem with the refund, but the product was damaged again "
     "which is why I needed it.", "delivery.damaged"),
    ("Can't fault the staff, they were lovely, but I was still charged "
     "twice.", "praise.helpful_staff;billing.double_charge"),
    ("You advertise 'next-day delivery' but mine took five days.",
     "comms.misleading_ad;delivery.late"),
    ("Customer since 2009, spent thousands, and I still had to explain my "
     "whole history to a new agent.",
     "loyalty.long_time_ignored;data.repeat_info"),
    ("The app crashed in the middle of checkout, twice.",
     "digital.app_crash;digital.checkout_error"),
    ("Your ad says 'cancel anytime' but I cancelled and got charged again.",
     "comms.misleading_ad;billing.charged_after_cancel"),
    ("app doesnt work, cant login, support doesnt answer. useless",
     "digital.login;service.no_reply"),
    ("I'm not going to cancel my account, but please fix the buffering.",
     "digital.streaming_buffering"),
    ("Would be nice if the chat agents could actually see my orders, I "
     "always have to paste the order number.",
     "data.no_history;data.repeat_info"),
    ("The parcel came two days after the promised date and nobody informed "
     "me of the delay.", "delivery.late;comms.no_notification"),
    ("Nobody told me my order was delayed, I had to find out by calling.",
     "comms.no_notification;delivery.late"),
    ("Can't complain about the prices, but the loyalty points expire far "
     "too fast.", "loyalty.points_expired"),
    ("I have no complaints about the product; it's the customer service "
     "that's the problem — an hour on hold.", "service.long_wait"),
    ("Het pakket kwam te laat en de verpakking was kapot.",
     "delivery.late;delivery.damaged"),
    ("Le colis est arrivé abîmé et le service client ne répond pas.",
     "delivery.damaged;service.no_reply"),
    ("Der Kundenservice war super freundlich, aber meine Erstattung fehlt "
     "immer noch.", "praise.helpful_staff;billing.refund_missing"),
    ("Me cobraron dos veces y nadie responde a mis correos.",
     "billing.double_charge;service.no_reply"),
    ("Thanks for nothing. Refund never came.", "billing.refund_missing"),
    ("I ordered a CD, was sent an LP, returned it, and I've been waiting "
     "5 weeks for the refund.",
     "delivery.wrong_item;billing.refund_missing"),
    ("Your support team were amazing when my parcel got lost, they sent a "
     "replacement the same day.",
     "praise.helpful_staff;delivery.not_received"),
    ("Stop sending me surveys and fix the app instead.",
     "voice.survey_fatigue"),
    ("I was told I'd get 10% off for the trouble and it wasn't applied.",
     "billing.wrong_amount"),
    ("Billing is a mess: charged twice in March, wrong amount in April.",
     "billing.double_charge;billing.wrong_amount"),
    ("No refund, no reply, nothing.",
     "billing.refund_missing;service.no_reply"),
    ("Ik werd drie keer doorverbonden en niemand kon me helpen.",
     "service.transferred;service.unresolved"),
    ("Agent was friendly but clearly didn't understand the problem.",
     "praise.helpful_staff;service.agent_knowledge"),
    ("I had to wait 20 minutes, which is fine honestly, the agent fixed "
     "everything.", "praise.helpful_staff"),
]


def main():
    seen = set()
    for text, expected in COMMENTS:
        assert text not in seen, "duplicate comment: " + text
        seen.add(text)
        for issue in filter(None, expected.split(";")):
            assert issue in ISSUES, "unknown issue id: " + issue
    rows = list(COMMENTS)
    random.Random(20260314).shuffle(rows)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "labeled.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text", "expected"])
        for i, (text, expected) in enumerate(rows, 1):
            w.writerow(["lb-%04d" % i, text, expected])


if __name__ == "__main__":
    main()
