"""The portal's data, a module by topic; every model is imported from here (``uploads.models``).

| module | models |
|---|---|
| ``base`` | append-only rows, encrypted files (abstract) |
| ``shops`` | Shop |
| ``requests`` | Order, UploadRequest |
| ``documents`` | ConsentDocument (a shop's consent text, per language and version), Consent, PassportDocument |
| ``content`` | ConsentText, GuidanceStep, FaqEntry, EmailTemplate |
| ``audit`` | AuditEvent, DestructionRecord |
| ``incidents`` | Incident, IncidentEntry (the 152-FZ incident register) |
| ``api`` | ApiToken, WebhookEndpoint, WebhookDelivery, WebhookAttempt |
| ``contacts`` | ContactLogEntry, BouncedAddress |
| ``feedback`` | Feedback |
| ``customs`` | CustomsSettings, CarrierMapping, CustomsRecord, SupportingDocument |
| ``carriers`` | CdekAccount, CarrierOrder, CarrierSend |
| ``countries`` | Country, country_name, country_choices (ISO 3166 alpha-2, names by pycountry) |
| ``keys`` | MasterKey (ids and check values of the master keys) |
| ``transfers`` | StaffProfile (the country staff work from), TransferRecord (the transfer register) |
| ``two_factor`` | StaffTOTPDevice (sealed seed), BackupCodeDevice, BackupCode (hashed) |
"""

from uploads.models.api import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from uploads.models.audit import AuditEvent, DestructionRecord
from uploads.models.base import (
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    EncryptedFileModel,
)
from uploads.models.carriers import CarrierOrder, CarrierSend, CdekAccount
from uploads.models.contacts import BouncedAddress, ContactLogEntry
from uploads.models.content import ConsentText, EmailTemplate, FaqEntry, GuidanceStep
from uploads.models.countries import Country, country_choices, country_name
from uploads.models.customs import (
    CarrierMapping,
    CustomsRecord,
    CustomsSettings,
    PhotoPolicy,
    SupportingDocument,
)
from uploads.models.documents import Consent, ConsentDocument, PassportDocument
from uploads.models.feedback import Feedback
from uploads.models.incidents import Incident, IncidentEntry
from uploads.models.keys import MasterKey
from uploads.models.requests import (
    REJECTION_MESSAGES,
    TYPED_REJECTION_MESSAGES,
    Order,
    UploadRequest,
)
from uploads.models.shops import (
    Shop,
    SummaryFrequency,
    UploadNotifications,
    recipient_lines,
    validate_day_list,
)
from uploads.models.transfers import RUSSIA, StaffProfile, TransferRecord
from uploads.models.two_factor import BackupCode, BackupCodeDevice, StaffTOTPDevice

__all__ = [
    "REJECTION_MESSAGES",
    "RUSSIA",
    "TYPED_REJECTION_MESSAGES",
    "ApiToken",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AuditEvent",
    "BackupCode",
    "BackupCodeDevice",
    "BouncedAddress",
    "CarrierMapping",
    "CarrierOrder",
    "CarrierSend",
    "CdekAccount",
    "Consent",
    "ConsentDocument",
    "ConsentText",
    "ContactLogEntry",
    "Country",
    "CustomsRecord",
    "CustomsSettings",
    "DestructionRecord",
    "EmailTemplate",
    "EncryptedFileModel",
    "FaqEntry",
    "Feedback",
    "GuidanceStep",
    "Incident",
    "IncidentEntry",
    "MasterKey",
    "Order",
    "PassportDocument",
    "PhotoPolicy",
    "Shop",
    "StaffProfile",
    "StaffTOTPDevice",
    "SummaryFrequency",
    "SupportingDocument",
    "TransferRecord",
    "UploadNotifications",
    "UploadRequest",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "country_choices",
    "country_name",
    "recipient_lines",
    "validate_day_list",
]
