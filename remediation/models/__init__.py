"""Remediation records per site (action plan ES4): hazards, measures, visits and evidence, one module each."""

from remediation.models.digests import WeeklyDigest  # noqa: F401
from remediation.models.evidence import (  # noqa: F401
    Evidence,
    EvidenceKind,
    PairRole,
)
from remediation.models.hazards import (  # noqa: F401
    HAZARD_MAX_DISTANCE_M,
    PRIORITY_COLOURS,
    SAFE_HAZARD_STATUSES,
    Hazard,
    HazardPriority,
    HazardStatus,
    HazardType,
    QuantityUnit,
)
from remediation.models.measures import (  # noqa: F401
    DONE_STAGES,
    IN_PROGRESS_STAGES,
    PROGRESS_COLOURS,
    STAGE_COLOURS,
    STAGE_PROGRESS,
    STAGE_TRANSITIONS,
    FundingSource,
    MeasureStage,
    MeasureType,
    RemediationMeasure,
    RemediationProgress,
    may_change_stage,
)
from remediation.models.public_reports import (  # noqa: F401
    PUBLIC_REPORT_TRANSITIONS,
    PublicReport,
    PublicReportKind,
    PublicReportState,
)
from remediation.models.records import (  # noqa: F401
    SiteRecord,
    SiteRecordQuerySet,
)
from remediation.models.visits import (  # noqa: F401
    Measurement,
    MeasurementUnit,
    MonitoringVisit,
    Parameter,
)
