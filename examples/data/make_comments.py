#!/usr/bin/env python3
"""Generate examples/data/comments.csv: example voice-of-customer comments.

The comments are fictional and written for this project. They are set at an
online music and media retailer that sells CDs, vinyl, downloads and a
streaming subscription, with a website, a mobile app, a loyalty programme
(points), customer service by phone, chat and email, and home delivery.

Each entry of COMMENTS is (channel, text, tags). Only channel and text go
into the CSV; the tags document what the entry was written to exercise and
drive the customer assignment:

  main topic      one of: voice strategy culture intel clv improve innov
                  eint eext (the nine CX ROI building blocks, see BLOCKS),
                  or praise (pure praise, no issue raised)
  +block          a secondary building block raised in the same comment
  sugg            suggestion / opportunity
  churn           explicit churn intent
  negok           contains a negation that is NOT a complaint
  negcomp         contains a negation that IS the complaint
  contrast        "X was fine but Y was not"
  pseudo          pseudo-negation ("no problem", "not only ... but also")
  mixed           raises two or three issues
  lang=xx         written in language xx (default English)
  caps            written in capitals
  heavy           implies a frequent buyer: assigned to a customer with
                  many transactions
  unk             sender is not in the CRM (customer id 9001..9012)
  anon            anonymous (empty customer id; app reviews)
  tN:k            k-th comment of thread N (same customer, in order)

Customer ids, timestamps and comment ids are assigned deterministically
from a fixed seed, using the transaction counts in transactions.csv
(run make_operational.py first). Output: comments.csv next to this script,
columns id,customer_id,created_at,channel,text, written with the csv
module (QUOTE_MINIMAL, "\\n" line terminator), UTF-8.

    python3 examples/data/make_comments.py
"""

import csv
import datetime as dt
import os
import random
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20260101

BLOCKS = {
    "voice": "customer_voice",
    "strategy": "cx_strategy",
    "culture": "culture",
    "intel": "customer_intelligence",
    "clv": "clv",
    "improve": "improvement",
    "innov": "innovation",
    "eint": "engaging_internally",
    "eext": "engaging_externally",
}
CHANNELS = ("email", "chat", "app_review", "survey", "phone_transcript", "social")

COMMENTS = [
    # ------------------------------------------------------------------
    # improvement: billing errors and double charges
    # ------------------------------------------------------------------
    ("email", "Hi, I was charged twice for order #A-58213 (€24.99 on 3 March and again €24.99 on 4 March). Both show as settled on my bank statement, not pending. Please refund the duplicate payment. Thanks", "improve after=03-05 before=03-20"),
    ("chat", "why have i been billed twice for the streaming plan this month?? 2x €10.99 same day", "improve"),
    ("app_review", "Subscription renewed two days early AND charged me twice. Fix your billing before adding new features.", "improve"),
    ("survey", "VAT was added twice on my last invoice.", "improve"),
    ("phone_transcript", "yeah hi, um, I'm ringing about a charge on my card, it's thirty-eight ninety-seven and I've got no idea what it's for. I didn't order anything in February. The email has order A-59904 on it but that's not my address, that's somewhere in Leeds, I'm in Bristol. So I'd like that looked at please, and I want the money back obviously", "improve +intel after=03-01 before=03-31"),
    ("email", "Your system took €12.99 this month even though your own email said the new price only applies from my next renewal in May. Please refund the difference (€2.00) and check whether other subscribers were hit by the same thing.", "improve before=04-30"),
    ("chat", "I cancelled the family plan on the 14th, I have the confirmation email right here, and you still took €17.99 on the 20th", "improve dom>=21"),
    ("survey", "Discount code was accepted at checkout but the total didn't change. Paid full price.", "improve negcomp"),
    ("social", "bought a €30 gift card for my sister's birthday. card charged, no code ever sent, chat says 'processing' for 9 days now. brilliant", "improve negcomp"),
    ("email", "Hello, the invoice for order #A-60112 lists three items but I only ordered and received two (the Copper & Pine CD and the poster). The third line, a 'Deluxe shipping upgrade' at $6.99, I definitely did not select. Can you remove it and refund me? Kind regards", "improve"),
    ("chat", "hi there, the app says my payment failed so I paid again with another card. now both cards have been charged €49.90. need one of them back pls", "improve"),
    ("survey", "Got charged in dollars although my account is set to euros, and my bank added a conversion fee on top.", "improve"),
    ("email", "Dear team, for the third month running my annual plan has been billed monthly as well. I have now paid €119 for the year plus €10.99 x 3. I've attached screenshots. I'd appreciate a refund of €32.97 and confirmation that this won't happen again.", "improve heavy"),
    # improvement: refunds
    ("email", "I returned the damaged box set (Velvet Meridian - The Complete Tower Sessions, order #A-57731) on 12 February. Tracking shows it was delivered to your returns centre on the 16th. My refund was not processed and it has now been five weeks. Where is my €89.90?", "improve negcomp after=03-20 before=03-27"),
    ("chat", "refund still not showing. you said 3-5 working days. it's been 3 weeks today", "improve negcomp"),
    ("phone_transcript", "so the lady last week told me the refund had gone through, she said definitely, gave me a reference and everything, and nothing has come in. It's forty-two pounds. I've checked every day. Can you actually check it went out this time?", "improve negcomp"),
    ("social", "Day 23 of waiting for a $31.48 refund. Chat closes at 6pm so I can't even ask after work.", "improve"),
    ("survey", "Refund took almost a month. Way too slow for a shop this size.", "improve"),
    ("app_review", "Returned a warped LP and got store credit instead of the refund I asked for. I never agreed to credit.", "improve negcomp"),
    ("email", "Hi, my order #A-61840 was cancelled by you because the item was out of stock (fine, it happens) but the money ($54.97) has not come back to my card. Your email said within 48 hours, it's been 12 days.", "improve negcomp"),
    # improvement: delivery late / lost / damaged
    ("email", "The parcel didn't arrive. Tracking says delivered on 9 April at 14:02 but nothing was left at my door, nothing with the neighbours, no card. Order #A-60318, two LPs. Please investigate with the courier and resend or refund.", "improve negcomp after=04-10 before=04-16"),
    ("survey", "Delivery was three days late and the box was crushed on one corner.", "improve mixed"),
    ("social", "ordered the Glass Orchard anniversary vinyl for my dad's 60th. it arrived a week AFTER his birthday 🙃", "improve"),
    ("chat", "My order has said 'dispatched' since Monday and the tracking number doesn't exist on the courier's site", "improve"),
    ("app_review", "Vinyl arrived warped. Again. Second time this year. The packaging is a thin cardboard sleeve with no corner protection at all.", "improve heavy"),
    ("email", "Hello, the CD case was cracked and the disc was loose and rattling around in the box. Can you send a replacement for #A-61027? I'd rather not pay postage to return a broken plastic case.", "improve"),
    ("phone_transcript", "it says out for delivery, three days running, and then every evening it goes back to 'in transit'. I've stayed in three days for this. I work shifts. I can't keep doing that", "improve"),
    ("survey", "Parcel left on the doorstep in the rain. Sleeve soaked, insert ruined.", "improve"),
    ("social", "third late delivery in a row. paid for express, got snail mail", "improve heavy"),
    ("survey", "Never received the second half of my split shipment.", "improve negcomp"),
    ("chat", "the courier marked my parcel as 'refused by recipient'. I never refused anything, I was home all day working", "improve negcomp"),
    ("email", "Ordered 4 CDs, received 3 and someone else's DVD. Packing slip says all 4 were packed. Order A-58899.", "improve"),
    ("social", "Courier threw my parcel over the gate. Sleeve split. Great start to the weekend", "improve wd=5"),
    ("survey", "The delivery window was 8am to 8pm. That is not a window, that's a day.", "improve"),
    ("email", "Good afternoon. The limited red pressing of 'Saltwater Hymns' that I pre-ordered in January arrived with a seam split on the sleeve and a deep scratch on side B. I realise these things happen in transit but the LP was packed loose with no inner sleeve. I'd like a replacement from the same pressing if there are any left, otherwise a refund.", "improve after=02-10"),
    # improvement: app
    ("app_review", "Crashes every time I open the Library tab since the latest update. Pixel 7, Android 14.", "improve anon"),
    ("app_review", "Can't log in. Reset my password three times and the link in the email says expired the moment I click it.", "improve negcomp"),
    ("app_review", "offline downloads disappear after a day. whats the point of offline mode if it doesnt work offline", "improve"),
    ("app_review", "Logs me out every single time I switch apps!!! please fix", "improve anon"),
    ("app_review", "Player skips to the next track at random in the middle of songs. iPhone 13.", "improve"),
    ("app_review", "update 5.4 broke casting to my speaker", "improve"),
    ("chat", "i can't sign into the app with my apple id anymore. it just spins forever", "improve negcomp"),
    ("app_review", "The app freezes on the checkout screen when I try to use points. Have to force close it and then I don't know if the order went through or not.", "improve"),
    ("app_review", "Downloads stuck at 99%. Uninstalled, reinstalled, same thing. Lost all my offline albums in the process 😤", "improve"),
    # improvement: website
    ("social", "site down again? 502 all evening while trying to pre-order", "improve"),
    ("survey", "The website was unavailable for most of Saturday when the spring sale started. By the time it came back the limited pressings were gone.", "improve after=03-22 before=05-10"),
    ("email", "Your checkout keeps timing out at the payment step. I've tried three different cards. One of them has actually been charged ($27.98) but I got no confirmation and no order shows in my account.", "improve mixed"),
    ("chat", "search on the website returns nothing for anything I type. even 'jazz' gives 0 results", "improve"),
    # improvement: waiting times
    ("phone_transcript", "...no, sorry, I'm just, I've been on hold for fifty minutes. Fifty. Before anyone picked up. I nearly gave up twice. Anyway. It's about the order I placed on the second", "improve"),
    ("survey", "45 minute wait on the phone line. Unacceptable.", "improve"),
    ("social", "'You are number 37 in the queue. Estimated wait: 1h 10min.' For a CHAT. seriously?", "improve"),
    ("chat", "been waiting 40 min for an agent, hello??", "improve"),
    ("survey", "The chat bot goes round in circles and there is no button to reach an actual person.", "improve negcomp"),
    ("email", "I've sent four emails about the same problem since 2 March. The auto-reply says you answer within 48 hours. Nobody has answered.", "improve negcomp after=03-09 before=04-10"),
    ("survey", "Callback was promised within 2 hours. It came the next day while I was at work.", "improve"),
    ("phone_transcript", "I rang yesterday, I was told someone would ring me back before five. Nobody called me back. So here I am, another forty minutes on hold", "improve negcomp"),
    # improvement: pseudo negation / not only but also
    ("email", "Not only was the first copy of 'Eleven Rooms' scratched, but the replacement you sent has the exact same scratch in the same place. I think the whole batch is faulty. Please check your stock before sending a third one.", "improve pseudo"),
    ("survey", "Not only did the order arrive late but it was also the wrong colour variant.", "improve pseudo mixed"),
    ("chat", "agent said 'no problem, I'll sort it' and then nothing got sorted. order still shows cancelled", "improve pseudo"),
    ("app_review", "Not only does it crash, it also wipes my queue every time.", "improve pseudo"),
    # improvement: mixed, two or three issues
    ("email", "Three things. 1) I was charged twice for #A-59377. 2) The parcel arrived four days late. 3) When I called about it, the agent couldn't see my order at all and asked me to send a photo of my bank statement. Please sort out at least the first one.", "improve mixed +eint"),
    ("survey", "late delivery, damaged box, and the app crashed when I tried to report it.", "improve mixed"),
    ("app_review", "Login broken and the support chat inside the app doesn't load either. So there is literally no way to get help.", "improve mixed negcomp"),
    ("social", "lost parcel + 2 hour chat queue + refund 'under review'. pick a lane guys", "improve mixed"),
    # ------------------------------------------------------------------
    # innovation: suggestions, unmet needs
    # ------------------------------------------------------------------
    ("survey", "I wish you had lossless audio on the streaming plan. I'd happily pay a couple of euros more for it.", "innov sugg"),
    ("email", "It would be great if I could pre-order vinyl and only be charged when it actually ships. Some of these pre-orders take six months and I've had money sitting with you since October.", "innov sugg heavy"),
    ("survey", "Please offer gift cards in other amounts than €25 and €50. My budget for my nephew is €15.", "innov sugg"),
    ("app_review", "Great app, one request: a sleep timer. I fall asleep to ambient albums and it plays all night.", "innov sugg anon"),
    ("survey", "Recommendations are always the same ten artists. Let me tell it what I DON'T like.", "innov sugg"),
    ("social", "would love a way to export my listening history. it's my data after all", "innov sugg"),
    ("survey", "Suggestion: let us combine points with a discount code at checkout.", "innov sugg"),
    ("email", "Hi! Small idea: a click and collect option would be amazing. There's a parcel locker two minutes from my flat and I'm never home when the courier comes.", "innov sugg"),
    ("app_review", "Price alerts on my wishlist pls!! I'd buy way more if I knew when things dropped", "innov sugg"),
    ("survey", "It would be nice to see the pressing details (weight, colour, label, year) on the product page before buying vinyl.", "innov sugg"),
    ("survey", "Student discount for streaming would be great.", "innov sugg"),
    ("social", "dark mode on the website when", "innov sugg"),
    ("email", "I still buy CDs because I like owning them, but 90% of the time I listen on my phone. Would you consider including the download with every CD purchase, the way some vinyl comes with a download code? I'd pay a little extra for that.", "innov sugg heavy"),
    ("app_review", "Any plans for a smartwatch app? Would love to skip tracks from my wrist when running.", "innov sugg"),
    ("survey", "Let me gift a month of streaming to a friend.", "innov sugg"),
    ("email", "If you ran a trade-in scheme for old CDs (credit towards new ones) I'd bring you my whole collection and spend the credit here. Just a thought.", "innov sugg"),
    ("app_review", "A car mode with bigger buttons would be really helpful, the current controls are tiny while driving.", "innov sugg"),
    ("survey", "Notify me when an artist I follow announces a pre-order. I always find out too late.", "innov sugg"),
    ("social", "honestly would subscribe to a 'one curated vinyl a month' box in a heartbeat 🎶", "innov sugg"),
    ("email", "Could you offer FLAC (or any lossless format) for downloads? Right now it's MP3 320 only, which is fine for the phone but not for my home setup. I'd buy my favourites again in lossless.", "innov sugg"),
    ("survey", "Gift wrapping with a handwritten note option please!", "innov sugg"),
    ("survey", "It would be great if I could choose the delivery day.", "innov sugg"),
    ("app_review", "I wish downloads came with the booklet / liner notes as a PDF. Half the fun of an album is reading who played on it.", "innov sugg"),
    ("email", "We're on the family plan and my kids' cartoon soundtracks have taken over my recommendations. Separate profiles inside the family plan would fix that. Everything else is great.", "innov sugg"),
    ("survey", "A 'concerts near me' section based on what I listen to would be cool.", "innov sugg"),
    ("app_review", "Release day countdown + notification at midnight for pre-saved albums. Other apps do it.", "innov sugg"),
    ("survey", "Collaborative playlists would be nice, so my partner and I can add to the same one.", "innov sugg"),
    ("survey", "A printable return label would save me a trip to the post office counter.", "innov sugg"),
    ("chat", "do you do any kind of pay-in-3 option? would help with the box sets", "innov sugg"),
    ("survey", "Let me pay for the streaming subscription with points.", "innov sugg"),
    ("email", "Have you ever thought about selling second-hand vinyl? A lot of us have duplicates and would sell them through you for credit. You'd keep people coming back.", "innov sugg"),
    ("survey", "For classical music please let me search by composer, conductor and orchestra separately. Right now it's chaos.", "innov sugg"),
    ("app_review", "Love the app. It'd be even better with a karaoke mode that highlights the lyrics line by line.", "innov sugg"),
    ("app_review", "Please add an offline mode to the desktop app, not just the phone.", "innov sugg"),
    ("social", "idea for you: 'listen before you buy' on vinyl, full-length preview of side A. sold.", "innov sugg"),
    ("survey", "Wishlist sharing for birthdays so family know what I have already.", "innov sugg"),
    ("email", "Hello, I teach music at a primary school. Is there any kind of education licence for the streaming plan? I'd love to use it in class but I can't use my personal account for that. If not, please consider it.", "innov sugg unk"),
    ("survey", "Would love to see more local and independent artists on the front page.", "innov sugg"),
    ("app_review", "An equaliser in the app would be great. My headphones are quite bassy.", "innov sugg"),
    ("survey", "It would be great if the app told me when a vinyl I viewed is back in stock.", "innov sugg"),
    ("chat", "quick question, no problem if not, but can I reserve a copy of the Sunday Cartographers reissue before it's listed?", "innov sugg pseudo"),
    ("survey", "Not only should you sell the vinyl but also the turntable cleaning kits, I always have to buy those elsewhere.", "innov sugg pseudo"),
    ("social", "you know what would be great? a 'what my friends are buying' feed. opt in only obviously", "innov sugg"),
    ("survey", "I'd love a yearly listening recap, with my top albums and how many hours.", "innov sugg"),
    # ------------------------------------------------------------------
    # culture: staff attitude
    # ------------------------------------------------------------------
    ("survey", "The agent on the phone was rude and sighed every time I asked a question.", "culture"),
    ("email", "I got a copy-paste reply that didn't even answer my question, then the ticket was closed. I feel like a ticket number, not a customer.", "culture"),
    ("chat", "the guy literally wrote 'that's not my problem'. word for word. screenshot saved", "culture"),
    ("survey", "It felt like the staff couldn't care less whether my order ever arrived.", "culture"),
    ("social", "Not one apology in three calls. Not one.", "culture"),
    ("phone_transcript", "and he actually laughed, when I said I'd been waiting a month for the refund he laughed, like it was funny. I'm sorry but that's not on. I want to make a complaint about that, properly", "culture"),
    ("email", "The person who answered my email explained to me, in great detail, how to open an attachment. I've worked in IT for twenty years. The problem was that your attachment was empty. The condescending tone was really unnecessary.", "culture"),
    ("survey", "The agent hung up on me mid-sentence.", "culture"),
    ("survey", "Indifferent. Nobody seemed to care.", "culture"),
    ("chat", "can I speak to someone who actually wants to help? this is the third person who just repeats the policy at me", "culture"),
    ("social", "Asked a simple question on chat. Got a lecture. Cheers.", "culture"),
    ("survey", "Staff were dismissive when I said the vinyl was faulty, implied I'd damaged it myself.", "culture"),
    ("email", "I was told I was 'the only customer complaining about this'. I checked your forum: I'm not. Even if I were, is that how you talk to people?", "culture"),
    ("phone_transcript", "she kept talking over me. every time I started explaining she'd cut in with 'as I said'. I just wanted her to listen for one minute", "culture"),
    ("survey", "Felt like I was treated like a number.", "culture"),
    ("app_review", "Support replied with a one-line 'works for me' and closed my ticket. Not helpful.", "culture"),
    ("survey", "Cold and robotic customer service, like talking to a wall.", "culture"),
    ("social", "the way your support team talks to people is honestly embarrassing for a company your size", "culture unk"),
    ("survey", "The delivery driver was really rude, threw the box at me and walked off.", "culture"),
    ("email", "I understand you can't fix everything. But the agent made it very clear she didn't care at all. That's worse than the actual problem.", "culture"),
    ("chat", "you don't have to be sarcastic, I'm just asking where my parcel is", "culture"),
    ("survey", "Nobody takes ownership. Everyone is 'just following the process'.", "culture"),
    # contrast (staff good / something else bad, or the reverse)
    ("survey", "The staff were lovely but the delivery was three days late.", "improve contrast"),
    ("survey", "Sam on chat was really kind and patient, but I still don't have my refund.", "improve contrast negcomp"),
    ("email", "Delivery was quick, I'll give you that, but the person on the phone afterwards was incredibly rude when I asked about the missing insert.", "culture contrast"),
    ("survey", "Great prices, terrible attitude from the phone team.", "culture contrast"),
    ("social", "love the vinyl selection but the customer service is a joke", "culture contrast"),
    # ------------------------------------------------------------------
    # customer intelligence: repeating details, wrong data, no history
    # ------------------------------------------------------------------
    ("survey", "Had to repeat my order number and address three times to three different people.", "intel"),
    ("email", "Wrong address on file AGAIN. I updated it in January, I have the confirmation. The replacement went to my old flat.", "intel after=02-01"),
    ("social", "bought ONE lullaby album as a gift and now the app thinks I'm a toddler. every recommendation is nursery rhymes", "intel"),
    ("email", "Why am I getting 'We miss you! Come back for 10% off' emails? I placed an order yesterday and I've ordered almost every week this year.", "intel +eext heavy"),
    ("chat", "the last agent said she'd leave a note on my account. you can't see any note? so I have to explain all of it again?", "intel"),
    ("email", "Your newsletter opened with 'Dear {FIRST_NAME}'. Not a big deal, but it doesn't inspire confidence in what you do with my details.", "intel unk"),
    ("survey", "The site keeps showing me prices in euros, I'm in the UK and my account says so.", "intel"),
    ("app_review", "Website says I have 2,340 points, the app says 0. Which one is right?", "intel"),
    ("phone_transcript", "right so I did all the security questions with the first person, and then she transferred me and the second person asked me all the security questions again, and then she couldn't see what the first person had written", "intel"),
    ("email", "I've bought every Lowlight Parade release from you since they started and you didn't tell me about the new one. I found out from a friend. You have my order history, use it!", "intel heavy"),
    ("survey", "The replacement was sent to my old address even though the original went to the new one.", "intel"),
    ("email", "I logged in this morning and I can see someone else's orders in my account history. Two orders to an address in Glasgow that I've never lived at. This is quite worrying from a privacy point of view, please sort it out urgently.", "intel"),
    ("chat", "why does every agent ask me for my order number when I'm logged in and you can see it", "intel"),
    ("survey", "You sent me a birthday voucher in March. My birthday is in October, and it's on my account.", "intel after=03-05"),
    ("email", "I've told you twice that I no longer have the vinyl subscription and I'm still getting the 'your next vinyl is on its way' emails. Also the app still shows the subscription as active.", "intel"),
    ("app_review", "Recommends albums I already bought from you. Every. Single. Day.", "intel heavy"),
    ("phone_transcript", "no, the surname is spelled wrong on the account, it's been wrong since I signed up, I've asked for it to be changed twice and it still comes up wrong on the invoices", "intel"),
    ("chat", "your colleague on the phone yesterday told me the refund was approved and you can't see anything about it?", "intel +eint"),
    ("email", "Two accounts with the same email address apparently exist, and my points are split between them. Could you merge them? Each time I ask, the agent merges nothing and tells me it's done.", "intel"),
    ("survey", "My phone number on file is wrong and I can't change it in the app.", "intel negcomp"),
    ("social", "you sent a 'thanks for your first order' email to someone who's been ordering from you every week for over a year 🙄", "intel heavy"),
    ("survey", "Agent didn't have my history in front of him, so the whole call was wasted.", "intel negcomp"),
    # ------------------------------------------------------------------
    # clv: loyalty, relationship, value for money, price increases
    # ------------------------------------------------------------------
    ("email", "I've bought from you almost every week since January last year. CDs, vinyl, gifts for half my family. And this is how you treat me? One late parcel I can forgive, but being told to 'wait and see' by your team for two weeks is not how you keep a regular customer.", "clv heavy"),
    ("survey", "For what you're charging now, I expected the service to get better, not worse.", "clv"),
    ("social", "not worth €12.99 a month anymore. cancelling and going back to buying the albums I actually want", "clv churn"),
    ("email", "New subscribers get three months for €0.99 and I, a loyal paying customer since the start, get a price increase. I'm switching to another service at the end of the month unless you can offer me something.", "clv churn"),
    ("survey", "Value for money has gone down a lot. The same vinyl is €6 more than a year ago.", "clv"),
    ("social", "I used to recommend you to literally everyone. not anymore", "clv"),
    ("survey", "Spent hundreds with you this year. Zero recognition.", "clv heavy after=03-01"),
    ("chat", "please cancel my account. I'm done", "clv churn"),
    ("email", "I'm closing my account. After more than a year of regular orders, the last three went wrong and nobody seems to think that matters. Please confirm the closure in writing and delete my card details.", "clv churn heavy"),
    ("survey", "Loyalty should be rewarded, not punished with price hikes.", "clv"),
    ("phone_transcript", "look, I've been with you since you launched the app, I've had the streaming plan the whole time, I buy vinyl on top of that, and you're telling me there's nothing you can do about the price? Then cancel it. Cancel the subscription. I'll go somewhere that wants my money", "clv churn heavy"),
    ("survey", "Prices keep going up. Quality doesn't.", "clv"),
    ("social", "switching to another streaming service, it's cheaper and has lossless. goodbye 👋", "clv churn +innov"),
    ("survey", "You've lost a customer. Never again.", "clv churn"),
    ("email", "I've decided not to renew my annual plan. It's nothing dramatic: the catalogue hasn't grown, the price has, and the app hasn't improved in a year. I'll keep buying the odd CD but the subscription isn't worth it for me anymore.", "clv churn"),
    ("survey", "I feel taken for granted as a regular customer.", "clv heavy"),
    ("app_review", "Used to love this app. Now it's just expensive. Uninstalled.", "clv churn anon"),
    ("survey", "Shipping costs now more than the CD. Not worth it.", "clv"),
    ("chat", "I want to cancel the family plan please. Too expensive now with the new prices", "clv churn"),
    ("social", "12 orders this year and I still pay full shipping every time. what's the point of being loyal", "clv heavy after=04-01"),
    ("survey", "Good service, but too pricey compared to the others. I'll probably move.", "clv contrast churn"),
    ("email", "I don't usually write in. I've been buying from you regularly since last winter and I've been happy. But I noticed you now charge €3.99 delivery on orders under €40, when it used to be free over €20. For someone who orders one or two CDs a week, that's a lot. Please reconsider, or give regular customers a delivery pass.", "clv heavy +strategy"),
    ("survey", "You're good, but the others are catching up and they're cheaper.", "clv contrast"),
    ("social", "after all the money I've spent with you, being told 'policy is policy' over a €9 CD is a real slap in the face", "clv heavy +culture"),
    ("survey", "I'll be taking my business elsewhere.", "clv churn"),
    ("email", "Please close my account and remove my data. I've moved to a different shop.", "clv churn"),
    ("survey", "Reasonable prices, never had a billing issue, but the selection is getting smaller every month so I'm thinking of leaving.", "clv negok contrast churn"),
    ("phone_transcript", "honestly? I'm thinking of leaving. it's not one thing, it's just, everything costs more and nothing got better", "clv churn"),
    # ------------------------------------------------------------------
    # customer voice: feedback ignored, no way to give feedback
    # ------------------------------------------------------------------
    ("survey", "I've filled in this survey three times about the same delivery problem. Nothing changes. Does anyone read these?", "voice"),
    ("email", "Nobody replies to feedback. Is this inbox even read by a human?", "voice negcomp"),
    ("app_review", "There's no way to leave feedback inside the app, so here it is: the new layout is worse.", "voice negcomp"),
    ("survey", "You asked for my opinion last month. I gave it. Silence.", "voice"),
    ("email", "Your feedback form has a 250 character limit. My problem does not fit in 250 characters, so I'm sending it here instead. (Details below.)", "voice"),
    ("survey", "Why do you ask me to rate the call before the problem is even solved?", "voice"),
    ("survey", "This survey only lets me rate the driver. My problem was with the order, not the driver.", "voice"),
    ("social", "there's a thread on your own community forum with 400+ upvotes asking for gapless playback. 6 months. not a single reply from staff", "voice +innov"),
    ("survey", "Pointless survey. Last time I said the same and you did nothing.", "voice"),
    ("email", "I wrote to you in January with a detailed suggestion about the pre-order process. I never got a reply, not even an acknowledgement. I'm not sure why I'm writing again, but here we are.", "voice after=02-15"),
    ("app_review", "The 'send feedback' button in settings does nothing. Literally nothing happens when you press it.", "voice"),
    ("survey", "Nobody listens. I said so in the last survey too.", "voice"),
    ("social", "you ask for reviews but delete the bad ones from your site. noticed that", "voice unk"),
    ("survey", "The complaint form requires an order number. My complaint is about your phone line, there is no order number.", "voice"),
    ("chat", "where can I make a formal complaint? there's nothing on the website about it", "voice"),
    ("survey", "I'm rating this 1 because there is no other place to tell you what's wrong.", "voice"),
    ("email", "This is my third message about the missing tracks on the 'Night Ferry' download. I'd at least like to know that someone has read this and passed it on to whoever manages the catalogue.", "voice"),
    ("survey", "You send a survey after every tiny interaction. Too many surveys, and nothing ever comes of them.", "voice +eext"),
    ("app_review", "Reported the same bug through the app five times. Never heard back.", "voice negcomp"),
    ("survey", "Nobody ever got back to me about my last survey answer, so I don't expect anything this time.", "voice negcomp"),
    ("social", "posted a question here 3 days ago. no reply. is anyone running this account?", "voice negcomp"),
    # ------------------------------------------------------------------
    # cx strategy: policies that punish customers, profit over customers
    # ------------------------------------------------------------------
    ("email", "The new returns policy (14 days instead of 30, and customers now pay return postage) punishes us for your courier's mistakes. I returned two damaged LPs last year at no cost. Under the new rules I'd be out of pocket for something that wasn't my fault.", "strategy"),
    ("social", "you only care about profit now. it shows", "strategy"),
    ("survey", "Removing free delivery over €20 was a bad decision. I order less now.", "strategy"),
    ("app_review", "Ads. In the paid plan. Seriously? One star until they're gone.", "strategy anon"),
    ("email", "I hear you're closing the phone line and moving everyone to chat. I'm 74 and I don't use chat. What am I supposed to do when something goes wrong?", "strategy unk"),
    ("survey", "Prices up, service down. Shareholders first, customers last.", "strategy"),
    ("email", "A 'restocking fee' of €4.50 for returning a sealed, unopened vinyl within 14 days? That's new. Is this really how you want to treat people who buy from you regularly?", "strategy heavy"),
    ("app_review", "Now limited to downloading on 3 devices. I have a phone, a tablet, a laptop and a work laptop. Paid for the music, should be able to play it.", "strategy"),
    ("survey", "Stopping MP3 sales so everyone has to use the streaming plan is customer-hostile.", "strategy"),
    ("social", "new policy: points can't be used on sale items. so the points are worth nothing during the only time I buy. nice one", "strategy +eext"),
    ("survey", "The new policy punishes loyal customers.", "strategy"),
    ("email", "I understand that costs have gone up. What I don't understand is why the first thing you cut was the customer service team. Waiting times have tripled since the restructuring in February. It feels like saving money matters more than the people who pay you.", "strategy after=03-02"),
    ("survey", "A €15 minimum basket before you can use a discount code is ridiculous for a music shop.", "strategy"),
    ("chat", "so I can't cancel online anymore and have to call during office hours? that's deliberate isn't it", "strategy negcomp"),
    ("survey", "Everything is designed to squeeze more money out of us.", "strategy"),
    ("social", "pre-orders are now non-refundable. think about that before you pre-order anything here", "strategy"),
    ("survey", "Auto-renewal on by default with no reminder email. Feels sneaky.", "strategy"),
    ("email", "Cancelling. The change to non-refundable pre-orders is the last straw. I pre-ordered about a dozen things a year from you, mostly limited pressings, and I'm not going to risk money on releases that get delayed by months.", "strategy churn heavy"),
    ("survey", "Why does a streaming service need to raise prices twice in one year?", "strategy"),
    ("app_review", "The new free tier is unusable on purpose so you upgrade. Not going to.", "strategy anon"),
    ("survey", "Removing the 30-day price guarantee was a mistake.", "strategy"),
    ("social", "closing the only phone line during a price increase. bold strategy", "strategy"),
    ("email", "Cancelling my subscription in protest at the new terms of service. You can now change the price 'at any time, with notice by email'. That's not a contract, that's a blank cheque.", "strategy churn"),
    # ------------------------------------------------------------------
    # engaging internally: agents not knowing, passed around, not authorised
    # ------------------------------------------------------------------
    ("survey", "The agent didn't know how the points programme works. I had to explain it to him.", "eint"),
    ("phone_transcript", "so billing said it's a delivery problem, delivery said it's a billing problem, and then I got put through to billing again. four transfers. I've explained this four times now", "eint +intel"),
    ("chat", "the chat agent said she's not authorised to refund more than €20 so I have to email 'the team'. which team??", "eint"),
    ("survey", "Your warehouse and your customer service clearly don't talk to each other.", "eint"),
    ("email", "The courier told me to contact you. You told me to contact the courier. The courier told me to contact you again. I'm now writing to both of you in the same email.", "eint"),
    ("survey", "Everything needed a supervisor. Why have agents who can't decide anything?", "eint"),
    ("email", "The phone team told me I'd get a full refund. The email team has now told me the opposite, that only store credit is possible. Which is it? I have the call reference: 55-20931.", "eint"),
    ("survey", "The person I spoke to had no idea about the new returns policy.", "eint"),
    ("chat", "you're the third person today who has to 'check with another department'", "eint"),
    ("survey", "Agent was friendly but had no training on the app, couldn't help with the login problem at all.", "eint contrast"),
    ("phone_transcript", "she was very nice, to be fair, but she said she couldn't see subscriptions, only physical orders, and that the streaming people are a different team and they don't take calls", "eint contrast"),
    ("email", "I was told my case had been escalated to the 'specialist team' on 4 February. When I called last week nobody could find any escalation. It seems the escalation just doesn't exist.", "eint after=02-18 before=04-01"),
    ("survey", "Passed between departments for 40 minutes.", "eint"),
    ("social", "asked the courier where my parcel is, they said 'ask the shop'. asked the shop, they said 'ask the courier'. my vinyl is in limbo", "eint"),
    ("survey", "The agent didn't know the difference between a CD and a download code.", "eint"),
    ("chat", "why can't you cancel the order yourself? who can?", "eint"),
    ("survey", "The delivery partner's driver had no idea there was a 'leave with neighbour' option even though I chose it.", "eint"),
    ("email", "The agent told me he'd raise it with the app team, and then he told me the app team doesn't take requests from customer service. So what was the point?", "eint"),
    ("survey", "Nobody in the company seems to know who is responsible for the points.", "eint"),
    ("phone_transcript", "he said, and I quote, 'I'm not allowed to do that, only my manager can, and she's off until Monday'. It's Wednesday", "eint wd=2"),
    ("survey", "The staff in the call centre obviously weren't told about the price change before we were.", "eint +strategy"),
    ("chat", "first agent told me to reinstall, second one told me never to reinstall because I'd lose downloads. which one is right?", "eint"),
    ("email", "Your chat agent was helpful but said the refund has to be approved by finance, and that finance 'takes as long as it takes'. That's not an answer I can do anything with.", "eint contrast"),
    ("survey", "The new system your agents use seems to be slowing everything down, they said so themselves.", "eint"),
    # ------------------------------------------------------------------
    # engaging externally: ads, notifications, newsletters, loyalty points
    # ------------------------------------------------------------------
    ("email", "Your ad said 'free delivery on everything this weekend'. At checkout it was only over €40. I'd like the €3.99 back or the ad changed.", "eext"),
    ("survey", "No shipping notification at all. Found out when the parcel was on my doorstep.", "eext negcomp"),
    ("social", "3 newsletters a day is too many. stop spamming me", "eext"),
    ("email", "My points expired without any warning. 1,800 points, that's about €18, gone overnight. I would have used them if anyone had told me.", "eext"),
    ("app_review", "Unsubscribe link in the emails doesn't work, leads to an error page. Still getting 'deals' every morning.", "eext"),
    ("app_review", "Push notifications at 2am about a sale. Turned them all off.", "eext"),
    ("survey", "The promo code from your own email didn't work.", "eext negcomp"),
    ("social", "the ad showed the red vinyl variant. site only sells black. bit misleading no?", "eext"),
    ("survey", "The 'exclusive' pressing you advertised was also on sale at the supermarket the same week.", "eext"),
    ("email", "The pre-order confirmation said it would ship on 3 April. No update since. It's now 12 May. A short email explaining the delay would have been enough.", "eext after=05-12 before=05-12"),
    ("survey", "I didn't know points expire after 12 months. It's not written anywhere obvious.", "eext negcomp"),
    ("survey", "The birthday voucher you advertise in the loyalty programme never arrived.", "eext"),
    ("social", "changes to the points programme announced in a tiny footnote of a newsletter. classy", "eext"),
    ("email", "I received an email saying my order had been delivered. It hadn't even shipped yet. Then two days later: 'Your order is on its way!' Please fix your notifications.", "eext"),
    ("survey", "Too many emails and texts. I'm unsubscribing from everything.", "eext"),
    ("app_review", "The in-app banner says 'double points this week' but I only got single points on my order.", "eext"),
    ("email", "You sent me an email offering 20% off 'for being a valued customer'. The code was expired when I clicked it the same day.", "eext"),
    ("survey", "Delay notification would have been nice instead of silence.", "eext"),
    ("social", "price on the instagram post: €19.99. price on your site: €27.99. which is it", "eext"),
    ("survey", "The newsletter is all about streaming now, nothing for people who still buy physical music.", "eext"),
    ("email", "I didn't receive a confirmation email for my order, or a dispatch email, or a delivery email. The order did arrive (thanks) but I spent a week wondering whether my payment had gone through.", "eext negcomp"),
    ("survey", "Points system is confusing, I have no idea what my points are worth.", "eext"),
    ("chat", "got a text saying my parcel is 'held at depot, pay €2.99 customs'. is that really from you? it looks like a scam", "eext unk"),
    ("survey", "The TV ad says 'cancel anytime'. Try cancelling.", "eext +strategy"),
    ("social", "your marketing emails say 'we listen to you'. funny", "eext +voice"),
    ("survey", "I'd like to hear about new releases from artists I like, not generic pop promos.", "eext"),
    ("email", "Please stop sending me texts. I opted out in February, you confirmed, and I got three more this week.", "eext after=03-03"),
    ("survey", "Points expired without warning, 2,600 of them.", "eext heavy"),
    ("app_review", "The points balance hasn't updated since March, so I don't know what I can spend.", "eext negcomp after=04-10"),
    ("survey", "Advertised delivery time was 2 days. Actual: 6. Change your ads or your couriers.", "eext +improve"),
    ("social", "got the 'your points are about to expire' email AFTER they expired. timing 10/10", "eext"),
    ("survey", "Good newsletter but far too frequent.", "eext contrast"),
    # ------------------------------------------------------------------
    # praise (no issue raised), many with negations that are not complaints
    # ------------------------------------------------------------------
    ("survey", "Fast delivery, perfect packaging. Thanks!", "praise"),
    ("survey", "No complaints, great service as always.", "praise negok"),
    ("chat", "Priya sorted out my double charge in about five minutes. Legend, thank you!", "praise"),
    ("app_review", "Never had an issue with the app. Clean, quick, does what it says.", "praise negok"),
    ("survey", "No billing problems at all, and the delivery was on time.", "praise negok"),
    ("survey", "The delivery wasn't late this time! Well done.", "praise negok"),
    ("social", "shoutout to the packing team, my box set arrived like it was wrapped for the crown jewels 📦", "praise"),
    ("survey", "Nothing to complain about. Keep it up.", "praise negok"),
    ("email", "Just a quick note to say thank you. I ordered a CD for my mum on Thursday evening and it arrived Saturday morning, in time for her birthday. She was over the moon.", "praise"),
    ("survey", "Couldn't be happier with the vinyl quality.", "praise negok"),
    ("app_review", "Best music app I've used. No ads, no nonsense.", "praise negok anon"),
    ("survey", "Not a single problem in a year of ordering.", "praise negok heavy"),
    ("chat", "thanks Tom, that's perfect. no problem at all with the new date", "praise pseudo negok"),
    ("survey", "Didn't have to wait at all on the phone, answered straight away.", "praise negok"),
    ("survey", "Excellent. Good prices, quick delivery, nice people.", "praise"),
    ("app_review", "Offline mode works flawlessly on flights. Never lost a download.", "praise negok"),
    ("social", "ok I take back everything I said last month, the new app update is actually great", "praise"),
    ("survey", "No hidden fees, no surprises. Exactly what I was quoted.", "praise negok"),
    ("survey", "Never been charged twice, never had a parcel go missing. Reliable.", "praise negok heavy"),
    ("email", "Hello, I wanted to say the agent I spoke to on Tuesday (Lena, I think) was brilliant. She didn't rush me, she found the order even though I'd given her the wrong number, and she rang me back exactly when she said she would. More of that please.", "praise wd=3"),
    ("survey", "Great selection of jazz reissues, I can't find these anywhere else.", "praise"),
    ("app_review", "No crashes, no login problems since the last update. Finally!", "praise negok"),
    ("survey", "The refund came through in two days. Didn't expect it to be that quick.", "praise negok"),
    ("social", "not gonna lie, your customer service is better than most banks 😂", "praise negok"),
    ("survey", "I have no complaints whatsoever.", "praise negok"),
    ("survey", "Nobody else ships vinyl this well. Zero warps in 15 orders.", "praise negok heavy"),
    ("chat", "oh that was quick, thanks! no worries about the delay", "praise negok pseudo"),
    ("survey", "Love the new recommendations, found three new bands this month.", "praise"),
    ("app_review", "Smooth, fast, good sound. Not missing anything.", "praise negok"),
    ("survey", "The staff member on chat was friendly and didn't make me repeat anything.", "praise negok"),
    ("email", "Thank you for replacing the scratched LP without any fuss. I didn't even have to send the old one back. That kind of thing keeps me coming back.", "praise negok"),
    ("survey", "Easy to order, easy to return. No issues.", "praise negok"),
    ("social", "ordered the Amber Static repress on a whim and wow. beautiful pressing, arrived in 2 days, won't be my last order ❤️", "praise negok"),
    ("survey", "Good value for money, especially with the points.", "praise"),
    ("app_review", "5 stars. Never crashes, battery friendly, and the lyrics feature is a nice touch.", "praise negok"),
    ("survey", "My parcel wasn't damaged this time, well packed.", "praise negok"),
    ("phone_transcript", "no that's great, that's all I needed, honestly that was really easy, thank you so much, have a good day", "praise negok"),
    ("survey", "No problem with the return, label arrived by email within minutes.", "praise negok pseudo"),
    ("survey", "Impressive. Wrong item sent but fixed within 24h and I kept the wrong one as an apology gift.", "praise"),
    ("app_review", "Not bad at all. Does the job.", "praise negok anon"),
    ("survey", "Delivery driver was very polite and waited while I came down the stairs.", "praise"),
    ("social", "can't fault the service. can't fault the prices. can fault my bank balance after the spring sale though", "praise negok"),
    ("survey", "Never had to chase an order. Everything just works.", "praise negok heavy"),
    ("survey", "Best online record shop, no contest.", "praise negok"),
    ("email", "Hi, no need to reply to this, I just wanted to say the handwritten thank-you card in my last order made my day. Small things matter.", "praise negok"),
    ("survey", "Fantastic. Quick answers on chat, no waiting.", "praise negok"),
    ("app_review", "I was sceptical but the streaming quality is great and it hasn't buffered once on my commute.", "praise negok"),
    ("survey", "Points are easy to use and they don't expire too fast. Good programme.", "praise negok"),
    ("survey", "I can't think of anything to improve.", "praise negok"),
    ("chat", "perfect, thank you Omar. you've been really helpful", "praise"),
    ("survey", "Ordering is simple, nothing ever goes wrong.", "praise negok"),
    ("social", "the vinyl I was hunting for 2 years was in stock here 🙏 happy customer", "praise"),
    # negations that are not complaints, inside comments raising a real issue
    ("survey", "No issue with the delivery, but the app keeps logging me out.", "improve negok contrast"),
    ("email", "The order itself was fine, nothing missing, nothing damaged. The problem is the invoice: it's addressed to my old company and I need it corrected for my expenses.", "intel negok"),
    ("survey", "Never had a problem with billing. The phone wait times are the issue, 30+ minutes every time.", "improve negok"),
    ("app_review", "Not complaining about the price, it's fair. But please fix the shuffle, it plays the same 20 songs.", "improve negok"),
    ("survey", "No complaints about the staff. The courier on the other hand lost my parcel.", "improve negok contrast"),
    # ------------------------------------------------------------------
    # more churn intent and phone calls
    # ------------------------------------------------------------------
    ("survey", "Lost parcel, no refund, no reply. Never again.", "improve churn negcomp"),
    ("social", "WORST CUSTOMER SERVICE EVER. CANCELLING MY SUBSCRIPTION TODAY.", "culture churn caps"),
    ("social", "WHERE IS MY ORDER??? THREE WEEKS!!! 😡", "improve caps"),
    ("chat", "I want to close my account. The agent yesterday was so rude I don't want anything more to do with you.", "culture churn"),
    ("email", "This is the second time my details have been wrong on an order. I don't trust you with my data anymore. Please delete my account.", "intel churn"),
    ("phone_transcript", "I've been passed around five departments today. I'm cancelling. Just cancel it, I'm not explaining it a sixth time", "eint churn"),
    ("survey", "Spam every single day. Unsubscribed and deleted my account.", "eext churn"),
    ("app_review", "Switching to another app. This one crashes too much.", "improve churn"),
    ("survey", "Goodbye. Found a shop that actually answers emails.", "voice churn"),
    ("survey", "I'm cancelling my streaming plan, the app has been unusable for a month.", "improve churn"),
    ("email", "Please cancel my vinyl pre-orders and close my account. The ad said 'ships in March'. It's June.", "eext churn after=06-01"),
    ("phone_transcript", "I'm cancelling. No, I don't want a discount, thank you, I wanted my order. That's all I ever wanted. The order", "improve churn negok"),
    ("phone_transcript", "hiya, just ringing to check on the vinyl I ordered, it's the Paperwolf one, the tracking hasn't moved since Friday. is it lost or is it just slow?", "improve wd=1"),
    ("phone_transcript", "yeah it's the, um, the points thing. I had about three thousand points and now it says eleven hundred and nobody's told me why", "eext"),
    ("phone_transcript", "I just want to know why the price went up. I didn't get any letter or email, nothing, it just went up", "eext negcomp +clv"),
    # ------------------------------------------------------------------
    # long comments (embedded newlines and double quotes)
    # ------------------------------------------------------------------
    ("email", """Hello,

I'm writing about order #A-57940 (two CDs and the "Kerosene Summer" deluxe vinyl, €61.47 in total).

1. The parcel arrived nine days late, after chat had told me twice that it was "on its way".
2. The vinyl sleeve was split down the spine.
3. When I asked for a replacement I was told the item is "no longer available" and offered a €5 voucher.

A €5 voucher for a €34.99 record that arrived damaged is not a solution. I would like a full refund for the vinyl and the delivery charge.

If this can't be resolved by the end of the month I'll be closing my account.

Regards""", "improve mixed churn long"),
    ("phone_transcript", """Agent: Thanks for calling, you're through to Marco, how can I help?
Customer: Hi, yeah, I'm calling because my streaming plan was cancelled and I didn't cancel it.
Agent: OK, let me have a look. Can I take your email address?
Customer: I gave it to the automated thing already... fine, it's the same one as always.
Agent: Thank you. So I can see the plan was cancelled on the 3rd due to a "payment failure".
Customer: There was no payment failure, the money left my account on the 2nd. I've got the statement right here.
Agent: I'm afraid I can't see payments from here, that's handled by billing.
Customer: So can you put me through to billing?
Agent: Billing doesn't take calls, but I can raise a ticket for you.
Customer: Right. And my playlists? My downloads?
Agent: They should come back once the plan is reactivated.
Customer: "Should". OK. Please raise the ticket.""", "eint improve mixed long dom>=4 dom<=20"),
    ("email", """Dear customer service,

I've ordered from you roughly every week since January last year: CDs mostly, vinyl when there's a good reissue, gift cards at Christmas. I'm not writing about one specific order. I'm writing because in the last two months I've had:

- a "delivered" parcel that never arrived (#A-58802, refunded after three weeks),
- a pre-order cancelled without any explanation,
- a price increase on my streaming plan with nine days' notice.

Each of these on its own is fine. Together they make me feel like a number. Your adverts say "music people serving music people". Right now it doesn't feel that way.

I'm not cancelling yet. But I am looking around.""", "clv mixed heavy long negok"),
    ("survey", """Same as every time I fill this in: the "gift" option still prints the price on the packing slip. My sister saw exactly what I paid for her birthday present.

Fix that one thing and I'll stop writing it here.""", "voice +innov long"),
    ("email", """Hi,

Re: your email "Important changes to your membership".

To summarise: the streaming plan goes up from €10.99 to €12.99, points are no longer earned on subscriptions, and free delivery now starts at €40 instead of €20. All in one email, described as "improvements to your membership".

Please don't call that an improvement. Just say you're raising prices.

I'm switching to a cheaper service. Please cancel my plan at the end of the current billing period.""", "strategy churn +eext +clv long"),
    ("chat", """hi
my order went to my old address again
I changed it in the app in January and again on the website in March
it's "14 Orchard Row" now, NOT "Flat 3, Mill Lane"
can you please check what address you actually have, because this is the third time""", "intel long after=03-16"),
    ("social", "The email said \"your points never expire while you're an active member\". I bought something every month. 3,100 points gone on 1 March. Explain.", "eext heavy after=03-02 before=03-31"),
    ("email", """Hello,

I don't normally write these, but I wanted to say thank you to whoever packed order #A-60455.

The "Cathedral of Small Things" box set arrived in a double-walled box with corner protectors, and each LP had been taken out of its outer sleeve so the seams couldn't split. No dents, no warps, nothing.

I've had bad experiences elsewhere with box sets, so this was a genuinely nice surprise. No complaints at all, and I'll definitely order the next one from you.

Thanks!""", "praise negok long"),
    ("phone_transcript", """Customer: I've already explained this twice today.
Agent: I need you to explain it again, I don't have any notes.
Customer: The app charged me for a download I never got. The file is empty. Zero bytes.
Agent: Have you tried restarting your phone?
Customer: It's not the phone. It's the file. Your colleague confirmed it this morning.
Agent: Well, I can't see that.
Customer: You know what, forget it. Close the account. I'm done.""", "culture intel improve mixed churn long"),
    ("email", """Good morning,

Two weeks ago I asked (ticket 448-2190) why my "Unlimited" plan suddenly shows a "fair use" limit of 30 downloads a month. The answer I got was a link to the terms and conditions, which don't mention any limit.

I'm not angry, just confused. Is there a limit or not? If there is, it should be on the plan page, not discovered by customers when the download button greys out.

Thanks in advance.""", "eext +strategy long"),
    # ------------------------------------------------------------------
    # threads: several comments from the same customer, in order
    # ------------------------------------------------------------------
    ("email", "Hello, I've been charged twice for order #A-59288 (€38.50 twice, both on 6 February). Could you refund one of them please? Thank you.", "improve t1:1 after=02-06 before=02-08"),
    ("email", "Second email about the double charge on #A-59288. It has been ten days and I haven't had a reply of any kind.", "improve +voice negcomp t1:2 after=02-16 before=02-17"),
    ("chat", "third time asking about #A-59288. still charged twice, still no answer. if this isn't fixed today I'm closing my account", "improve churn t1:3 after=02-19 before=02-27"),
    ("survey", "Order came a week late and one of the two LPs was the wrong one.", "improve mixed t2:1"),
    ("email", "Just to say the correct LP arrived today, and thanks to Lena for refunding the postage without me even asking. Much appreciated.", "praise t2:2"),
    ("app_review", "can't log in since the update, 'unknown error 1023'", "improve negcomp t3:1"),
    ("chat", "still can't log in. the fix you sent me (clear the cache) didn't do anything", "improve negcomp t3:2"),
    ("app_review", "Login works again after 5.4.2, thanks. Lost all my offline downloads though.", "improve contrast t3:3"),
    ("survey", "Would love lossless on the streaming plan.", "innov sugg t4:1"),
    ("social", "still hoping for lossless audio. every other service has it now. please? 🙏", "innov sugg t4:2"),
    ("email", "My 2,150 points expired yesterday without any reminder. I order most weeks, I would have used them. I'd like them restored please.", "eext heavy t5:1 after=03-03 before=03-04"),
    ("email", "I wrote on the 3rd about my expired points and haven't had an answer. Does anybody read this address?", "voice negcomp t5:2 after=03-12 before=03-20"),
    ("phone_transcript", "yeah so I've written twice about the points and got no answer, so now I'm calling. I'd like to speak to someone who can actually put them back, not someone who has to ask someone else", "eext +eint +voice t5:3 after=03-23 before=04-08"),
    ("survey", "Delivery went to my old address even though I changed it in my account weeks ago.", "intel t6:1"),
    ("email", "And the replacement has ALSO gone to my old address. How is that possible? I checked the account and the new address is the only one there.", "intel t6:2"),
    ("phone_transcript", "I sent back the turntable mat and two CDs on the 10th, you've had them a week according to the tracking, so where's my refund", "improve t7:1 dom>=17 dom<=25"),
    ("survey", "Refund arrived in the end, thanks, but it took three reminders.", "improve contrast t7:2"),
    ("survey", "Same answer as last time: the app needs a proper search by year and by label.", "innov sugg +voice t8:1"),
    ("survey", "Third survey, same suggestion, nothing happens. I'm switching to another app next month.", "voice churn t8:2"),
    # ------------------------------------------------------------------
    # senders who are not in the CRM
    # ------------------------------------------------------------------
    ("email", "I've been a customer for 12 years, since long before you had an app, and this is the first time I've felt I had to complain. My last three orders were all late and nobody could tell me why.", "clv unk"),
    ("email", "Please close my account. Customer since 2014, but the new returns policy is the end of it for me.", "strategy churn unk"),
    ("chat", "hi, the site says my email isn't registered but I've been ordering from you for years? can't log in at all", "intel negcomp unk"),
    ("phone_transcript", "I'm calling for my dad, he's the account holder, he's eighty-one, and he's been charged for a streaming subscription he has never used, he doesn't even have a smartphone", "improve unk"),
    ("email", "I received a parcel addressed to me with a CD I never ordered and an invoice for €14.99. As far as I know I don't have an account with you. Please explain.", "intel unk"),
    ("social", "been with you since the CD-only days. the new app is a step backwards in every way. goodbye.", "clv churn unk"),
    # ------------------------------------------------------------------
    # other languages
    # ------------------------------------------------------------------
    ("email", "Bonjour, j'attends toujours le remboursement de ma commande #A-59120 (34,90 €). Cela fait trois semaines que vous avez reçu le colis retourné. Merci de faire le nécessaire rapidement.", "improve lang=fr"),
    ("survey", "Livraison rapide, vinyle en parfait état. Rien à redire !", "praise negok lang=fr"),
    ("email", "Le service client ne répond jamais à mes e-mails. J'ai écrit quatre fois. Je vais résilier mon abonnement à la fin du mois.", "voice churn negcomp lang=fr"),
    ("survey", "Ce serait génial de pouvoir écouter en qualité sans perte sur l'appli. Je boirais un café de moins par mois pour ça !", "innov sugg lang=fr"),
    ("survey", "Die Lieferung kam fünf Tage zu spät und die Hülle war beschädigt.", "improve mixed lang=de"),
    ("email", "Guten Tag, ich habe die Überweisung am 3. März getätigt, aber meine Bestellung steht immer noch auf „Zahlung ausstehend“. Bitte prüfen Sie das. Mit freundlichen Grüßen", "improve lang=de after=03-10 before=04-15"),
    ("social", "ICH HABE ZWEIMAL BEZAHLT UND NIEMAND ANTWORTET! KÜNDIGUNG FOLGT.", "improve churn caps negcomp lang=de"),
    ("app_review", "Super Auswahl an Schallplatten, schneller Versand und keine Probleme mit der App. Weiter so!", "praise negok lang=de"),
    ("chat", "Llevo 40 minutos esperando en el chat y nadie me atiende.", "improve negcomp lang=es"),
    ("email", "Hola, el pedido llegó roto. Pedí un reembolso hace dos semanas y todavía no lo he recibido. Si no se soluciona, me doy de baja.", "improve negcomp churn lang=es"),
    ("survey", "Me encantaría que tuvieran tarjetas regalo digitales, para enviarlas por correo electrónico.", "innov sugg lang=es"),
    ("survey", "Muy buena atención, la agente fue muy amable y resolvió todo en pocos minutos.", "praise lang=es"),
    ("app_review", "De app crasht elke keer als ik een afspeellijst open. Graag oplossen.", "improve lang=nl"),
    ("email", "Mijn punten zijn zonder enige waarschuwing verlopen. Heel jammer, ik was een trouwe klant. Ik zeg mijn abonnement op.", "eext churn lang=nl"),
    ("survey", "Prima service, geen klachten. Bedankt!", "praise negok lang=nl"),
    ("email", "Fui cobrado duas vezes pela assinatura deste mês. Quero o reembolso do valor duplicado, por favor.", "improve lang=pt"),
    ("phone_transcript", "o atendimento foi péssimo, ninguém sabia resolver o meu problema, fui transferido três vezes e no fim desligaram", "eint lang=pt"),
    ("survey", "Adoro a loja! A entrega foi rápida e não tive nenhum problema.", "praise negok lang=pt"),
    ("email", "Заказ так и не пришёл, а служба поддержки не отвечает уже две недели. Верните деньги, пожалуйста.", "improve negcomp lang=ru"),
    ("survey", "Отличный сервис, но цены на винил выросли слишком сильно. Скорее всего, уйду к конкурентам.", "clv contrast churn lang=ru"),
]

FLAGS = {"sugg", "churn", "negok", "negcomp", "contrast", "pseudo", "mixed",
         "caps", "heavy", "unk", "anon", "long"}
MAIN = set(BLOCKS) | {"praise"}
YEAR = 2026
FIRST_DAY = dt.date(YEAR, 1, 2)
LAST_DAY = dt.date(YEAR, 6, 29)
UNKNOWN_IDS = list(range(9001, 9013))
HEAVY_MIN_TX = 6          # "many transactions": 6 or more lines in transactions.csv
EXTRA_REPEATERS = 32      # repeat customers besides the thread authors
EXTRA_REPEATERS_HEAVY = 20


def parse_tags(tags):
    """Split a tag string into (main, secondary blocks, flags, options)."""
    parts = tags.split()
    main, rest = parts[0], parts[1:]
    if main not in MAIN:
        raise ValueError("unknown main topic %r" % main)
    second, flags, opts = [], set(), {}
    for p in rest:
        if p.lstrip("+") in BLOCKS:
            second.append(p.lstrip("+"))
        elif p in FLAGS:
            flags.add(p)
        elif "=" in p or ">=" in p or "<=" in p:
            for op in (">=", "<=", "="):
                if op in p:
                    k, v = p.split(op, 1)
                    opts[k + (op if op != "=" else "")] = v
                    break
        elif ":" in p and p[0] == "t":
            thread, pos = p.split(":")
            opts["thread"] = thread
            opts["pos"] = int(pos)
        else:
            raise ValueError("unknown tag %r" % p)
    return main, second, flags, opts


def load_tx_counts():
    path = os.path.join(HERE, "transactions.csv")
    if not os.path.exists(path):
        sys.exit("transactions.csv not found: run make_operational.py first")
    counts = Counter()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            counts[int(row["customer_id"])] += 1
    return counts


def mmdd(s):
    m, d = s.split("-")
    return dt.date(YEAR, int(m), int(d))


def draw_day(rng, opts, lo=None, hi=None):
    lo = max(lo or FIRST_DAY, mmdd(opts["after"]) if "after" in opts else FIRST_DAY)
    hi = min(hi or LAST_DAY, mmdd(opts["before"]) if "before" in opts else LAST_DAY)
    days = []
    d = lo
    while d <= hi:
        ok = True
        if "dom>=" in opts and d.day < int(opts["dom>="]):
            ok = False
        if "dom<=" in opts and d.day > int(opts["dom<="]):
            ok = False
        if "wd" in opts and d.weekday() != int(opts["wd"]):
            ok = False
        if ok:
            days.append(d)
        d += dt.timedelta(days=1)
    if not days:
        raise ValueError("no day satisfies %r between %s and %s" % (opts, lo, hi))
    return rng.choice(days)


def draw_time(rng, channel):
    """Local wall-clock time; phone and chat happen in opening hours."""
    if channel in ("phone_transcript", "chat"):
        h = rng.randint(8, 19)
    elif channel in ("app_review", "social"):
        h = rng.choice([0, 1, 7, 8, 9, 12, 13, 17, 18, 19, 20, 21, 21, 22, 22, 23])
    else:
        h = rng.randint(6, 22)
    m = rng.randint(0, 59)
    s = rng.randint(0, 59) if channel in ("chat", "phone_transcript") and rng.random() < 0.5 else 0
    return dt.time(h, m, s)


def utc_offset_for(rng, day, lang="en"):
    """An offset a sender writing in lang could plausibly have that day."""
    summer = day >= dt.date(YEAR, 3, 29)          # EU summer time from 29 March 2026
    us_summer = day >= dt.date(YEAR, 3, 8)        # US daylight time from 8 March 2026
    if lang in ("fr", "de", "es", "nl"):
        return 1 + summer
    if lang == "pt":
        return rng.choice([0 + summer, -3])       # Portugal or Brazil
    if lang == "ru":
        return 3
    return rng.choice([
        1 + summer, 1 + summer, 1 + summer,       # CET / CEST
        0 + summer,                               # GMT / BST
        -5 + us_summer,                           # EST / EDT
        2 + summer,                               # EET / EEST
    ])


def make_timestamp(rng, channel, day, form=None, lang="en"):
    """Return (created_at text, UTC datetime used for ordering)."""
    if form is None and lang != "en" and rng.random() < 0.5:
        form = "offset"
    if form is None:
        r = rng.random()
        date_only_p = 0.12 if channel == "survey" else 0.02
        if r < date_only_p:
            form = "date"
        elif r < date_only_p + 0.15:
            form = "offset"
        else:
            form = "z"
    if form == "date":
        return day.isoformat(), dt.datetime.combine(day, dt.time(12, 0), dt.timezone.utc)
    local = dt.datetime.combine(day, draw_time(rng, channel))
    if form == "z":
        return local.strftime("%Y-%m-%dT%H:%M:%SZ"), local.replace(tzinfo=dt.timezone.utc)
    hours = utc_offset_for(rng, day, lang)
    tz = dt.timezone(dt.timedelta(hours=hours))
    aware = local.replace(tzinfo=tz)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + "%+03d:00" % hours
    return text, aware.astimezone(dt.timezone.utc)


def main():
    rng = random.Random(SEED)
    tx = load_tx_counts()
    all_ids = sorted(tx)
    heavy_ids = [c for c in all_ids if tx[c] >= HEAVY_MIN_TX]
    light_ids = [c for c in all_ids if tx[c] < HEAVY_MIN_TX]

    entries = []
    for i, (channel, text, tags) in enumerate(COMMENTS):
        if channel not in CHANNELS:
            raise ValueError("entry %d: bad channel %r" % (i, channel))
        if text != text.strip() or not text:
            raise ValueError("entry %d: empty text or stray whitespace" % i)
        main_, second, flags, opts = parse_tags(tags)
        entries.append({"i": i, "channel": channel, "text": text, "main": main_,
                        "second": second, "flags": flags, "opts": opts, "customer": None})
    texts = Counter(e["text"] for e in entries)
    dup = [t for t, n in texts.items() if n > 1]
    if dup:
        raise ValueError("duplicate texts: %r" % dup[:3])

    used = set()

    def take(pool):
        cands = [c for c in pool if c not in used]
        c = rng.choice(cands)
        used.add(c)
        return c

    # anonymous and unknown senders
    unknown = list(UNKNOWN_IDS)
    rng.shuffle(unknown)
    for e in entries:
        if "anon" in e["flags"]:
            assert e["channel"] == "app_review", e["text"]
            e["customer"] = ""
        elif "unk" in e["flags"]:
            e["customer"] = str(unknown.pop())

    # threads: one frequent buyer each
    threads = {}
    for e in entries:
        if "thread" in e["opts"]:
            threads.setdefault(e["opts"]["thread"], []).append(e)
    for name in sorted(threads, key=lambda t: int(t[1:])):
        cid = take(heavy_ids)
        for e in threads[name]:
            e["customer"] = str(cid)

    # more customers with several comments: English, not pinned to a sender
    def free(e):
        return (e["customer"] is None and "lang" not in e["opts"]
                and "long" not in e["flags"])
    pool = [e for e in entries if free(e)]
    rng.shuffle(pool)
    repeaters = ([take(heavy_ids) for _ in range(EXTRA_REPEATERS_HEAVY)]
                 + [take(light_ids) for _ in range(EXTRA_REPEATERS - EXTRA_REPEATERS_HEAVY)])
    for cid in repeaters:
        k = rng.choice([2, 2, 2, 3, 3, 4])
        is_heavy = tx[cid] >= HEAVY_MIN_TX
        mine = []
        for e in pool:
            if len(mine) == k:
                break
            if e["customer"] is not None:
                continue
            if "heavy" in e["flags"] and not is_heavy:
                continue
            if "churn" in e["flags"] and any("churn" in m["flags"] for m in mine):
                continue
            if e["main"] == "praise" and any("churn" in m["flags"] for m in mine):
                continue
            if "churn" in e["flags"] and any(m["main"] == "praise" for m in mine):
                continue
            mine.append(e)
        for e in mine:
            e["customer"] = str(cid)

    # everybody else: one comment per customer; frequent buyers over-represented
    for e in entries:
        if e["customer"] is not None:
            continue
        if "heavy" in e["flags"] or rng.random() < 0.30:
            e["customer"] = str(take(heavy_ids))
        elif rng.random() < 0.40:
            # weighted by number of transactions
            while True:
                c = rng.choices(light_ids, weights=[tx[x] for x in light_ids])[0]
                if c not in used:
                    used.add(c)
                    break
            e["customer"] = str(c)
        else:
            e["customer"] = str(take(light_ids))

    # timestamps
    for name in sorted(threads, key=lambda t: int(t[1:])):
        prev = None
        for e in sorted(threads[name], key=lambda e: e["opts"]["pos"]):
            lo = prev + dt.timedelta(days=2) if prev else None
            day = draw_day(rng, e["opts"], lo=lo)
            e["created_at"], e["utc"] = make_timestamp(rng, e["channel"], day, form="z")
            prev = day
    for e in entries:
        if "utc" not in e:
            day = draw_day(rng, e["opts"])
            e["created_at"], e["utc"] = make_timestamp(rng, e["channel"], day,
                                                       lang=e["opts"].get("lang", "en"))

    # a customer's churn comment is their last word: swap timestamps if needed
    by_cust = {}
    for e in entries:
        if e["customer"] and "thread" not in e["opts"]:
            by_cust.setdefault(e["customer"], []).append(e)
    for cid, es in by_cust.items():
        churn = [e for e in es if "churn" in e["flags"]]
        if len(es) > 1 and churn and not any(e["opts"] for e in es):
            last = max(es, key=lambda e: e["utc"])
            c = churn[0]
            if c is not last:
                c["created_at"], last["created_at"] = last["created_at"], c["created_at"]
                c["utc"], last["utc"] = last["utc"], c["utc"]

    lo = dt.datetime(YEAR, 1, 1, tzinfo=dt.timezone.utc)
    hi = dt.datetime(YEAR, 7, 1, tzinfo=dt.timezone.utc)
    for e in entries:
        assert lo <= e["utc"] < hi, e["created_at"]

    entries.sort(key=lambda e: (e["utc"], e["i"]))
    out = os.path.join(HERE, "comments.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(["id", "customer_id", "created_at", "channel", "text"])
        for n, e in enumerate(entries, 1):
            w.writerow(["cm-%04d" % n, e["customer"], e["created_at"], e["channel"], e["text"]])

    # summary
    print("comments.csv: %d comments" % len(entries))
    print("channels:", dict(sorted(Counter(e["channel"] for e in entries).items())))
    print("languages:", dict(sorted(Counter(e["opts"].get("lang", "en") for e in entries).items())))
    print("main topic:", dict(sorted(Counter(e["main"] for e in entries).items())))
    flags = Counter(f for e in entries for f in e["flags"])
    print("flags:", dict(sorted(flags.items())))
    cdnow = [e for e in entries if e["customer"] and int(e["customer"]) in tx]
    per = Counter(e["customer"] for e in cdnow)
    print("CDNOW comments: %d from %d customers; %d customers with 2-4 comments (%s)"
          % (len(cdnow), len(per), sum(1 for v in per.values() if v > 1),
             dict(sorted(Counter(v for v in per.values() if v > 1).items()))))
    print("from customers with >= %d transactions: %d comments (%.0f%%); such customers are %.0f%% of all"
          % (HEAVY_MIN_TX, sum(1 for e in cdnow if tx[int(e["customer"])] >= HEAVY_MIN_TX),
             100.0 * sum(1 for e in cdnow if tx[int(e["customer"])] >= HEAVY_MIN_TX) / len(cdnow),
             100.0 * len(heavy_ids) / len(all_ids)))
    print("unknown senders: %d, anonymous: %d"
          % (sum(1 for e in entries if e["customer"] and int(e["customer"]) not in tx),
             sum(1 for e in entries if e["customer"] == "")))


if __name__ == "__main__":
    main()
