"""The help-centre articles of the demo store, Juniper Goods (outdoor and camping gear)."""

from __future__ import annotations

from typing import Final, NamedTuple

STORE_NAME: Final = "Juniper Goods"
"""The demo store's name."""

STORE_SUPPORT_EMAIL: Final = "help@junipergoods.example"
"""The address customers may write to; the PII guardrail lets it through."""

RETURN_WINDOW_DAYS: Final = 30
"""Days after delivery during which an item may be returned for a refund."""


class ArticleSeed(NamedTuple):
    """One help-centre article as seeded."""

    slug: str
    title: str
    tags: str
    body: str


ARTICLES: Final[tuple[ArticleSeed, ...]] = (
    ArticleSeed(
        "returns-policy",
        "Returns and exchanges",
        "return exchange send back policy label eligible window",
        f"You can return most items within {RETURN_WINDOW_DAYS} days of delivery for a full "
        "refund or an exchange. Items must be unused, with tags attached, in their original "
        "packaging. Start a return from Your Orders or ask support; we email a prepaid return "
        "label for orders shipped within the US, UK and EU. Sleeping bags and tents that were "
        "used outdoors can be returned only if they are defective (see 'Damaged or defective "
        "items'). Final-sale items cannot be returned.",
    ),
    ArticleSeed(
        "refund-timing",
        "When will I get my refund?",
        "refund money back timing bank card credit days pending",
        "Refunds go back to the original payment method. We issue the refund as soon as a "
        "return is scanned at our warehouse, or straight away when support approves a refund "
        "without a return. Banks usually show the money within 5 to 10 business days. Partial "
        "refunds are possible, for example for a missing part. You will get an email with the "
        "refund number (it starts with RF-) when the refund is issued.",
    ),
    ArticleSeed(
        "shipping-times",
        "Shipping options and delivery times",
        "shipping delivery time cost free express standard how long",
        "Standard shipping takes 3 to 5 business days in the US and 4 to 7 to the UK and EU; "
        "express takes 1 to 2 business days in the US. Orders over 100 in your currency ship "
        "free; otherwise standard shipping costs $7.95, £4.95 or €9.90. Orders placed before "
        "1 pm Pacific time on a business day leave our warehouse the same day.",
    ),
    ArticleSeed(
        "track-order",
        "Tracking your order",
        "track tracking parcel package where status carrier late delayed",
        "When your parcel leaves the warehouse we email a tracking number from the carrier (UPS, "
        "FedEx, Royal Mail or DHL). Tracking can take up to 24 hours to show the first scan. If "
        "the estimated delivery date has passed by more than 3 business days, contact us and we "
        "will open an investigation with the carrier and, if the parcel is lost, send a "
        "replacement or a refund.",
    ),
    ArticleSeed(
        "change-address",
        "Changing your shipping address",
        "address change wrong moved update delivery redirect",
        "We can change the shipping address of an order until it has been handed to the "
        "carrier, which is usually within a few hours of ordering. Ask support with the new "
        "address; for security, a support specialist confirms every address change. Once the "
        "parcel has shipped, you can ask the carrier to redirect it using the tracking number.",
    ),
    ArticleSeed(
        "damaged-items",
        "Damaged or defective items",
        "damaged broken defective faulty missing part warranty photo replace",
        "If something arrives damaged or stops working because of a defect, tell us within 60 "
        "days of delivery and include a photo if you can. We will send a replacement or refund "
        "the item, including any shipping you paid, and you do not need to return a damaged "
        "item unless we ask. After 60 days, defects are covered by the product warranty.",
    ),
    ArticleSeed(
        "cancel-order",
        "Cancelling an order",
        "cancel cancellation stop order mistake",
        "You can cancel an order for a full refund while it is still being packed. Once the "
        "parcel has been handed to the carrier it can no longer be cancelled, but you can return "
        "it after delivery.",
    ),
    ArticleSeed(
        "international",
        "International shipping, customs and duties",
        "international customs duties import tax held abroad eu uk",
        "Orders to the UK and EU are shipped with duties and taxes prepaid, so nothing should be "
        "due on delivery. Occasionally customs holds a parcel and asks for documents or payment; "
        "contact us with the order number and we will resolve it with the carrier. Customs "
        "holds usually clear within 2 to 5 business days.",
    ),
    ArticleSeed(
        "warranty",
        "Product warranty",
        "warranty guarantee repair lifetime defect years",
        "Tents, backpacks and sleeping bags carry a 2-year warranty against defects in "
        "materials and workmanship; other products carry 1 year. Normal wear and accidental "
        "damage are not covered. To make a claim, contact support with your order number and a "
        "description or photo of the problem.",
    ),
    ArticleSeed(
        "payment-methods",
        "Payment methods and billing",
        "payment card pay billing charge invoice security",
        "We accept major credit and debit cards, PayPal and Apple Pay. Your card is charged "
        "when the order is placed. Never send your card number by chat or email: our support "
        "team will never ask for it. Invoices are available from Your Orders.",
    ),
    ArticleSeed(
        "contact-us",
        "Contacting a person",
        "contact human person agent phone email hours complaint",
        f"Our support team answers by chat and at {STORE_SUPPORT_EMAIL}, Monday to Friday, "
        "8 am to 6 pm Pacific time. A specialist reviews refunds above our automatic limit and "
        "every change of shipping address.",
    ),
)
"""Every help-centre article, in seeding order."""
