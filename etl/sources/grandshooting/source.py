"""Grand Shooting (API v3.3.1) declared as data: resources, keys, paging and cursors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from etl.config import Config, secret_from_env
from etl.engine.auth import BearerToken
from etl.engine.binding import bind_runtime
from etl.engine.declarations import Cursor, KeyRange, Reread, Resource, Source, Touch
from etl.engine.paginators import OffsetHeaderPaginator, SinglePage
from etl.engine.runtime import Extract, SourceRuntime
from etl.errors import ConfigError
from etl.sources.grandshooting import records

PAGES = OffsetHeaderPaginator(page_size=100, ceiling=10_000)
SINGLE = SinglePage()


def _date_mod_since(lower: datetime) -> dict[str, str]:
    # The API compares dates by day: the engine has already moved `lower` back by the overlap.
    return {"date_mod": f"gte:{lower:%Y-%m-%d}"}


def _by_key(field: str) -> KeyRange:
    return KeyRange(
        param=field,
        sort_param="sort_by",
        sort_value=field,
        sort_desc_value=f"-{field}",
        lower_inclusive=lambda key: f"gte:{key}",
        lower_exclusive=lambda key: f"gt:{key}",
        upper_exclusive=lambda key: f"lt:{key}",
    )


def _benches(body: Any) -> list[dict[str, Any]]:
    """`GET /production` answers an array of productions, each an array of benches."""
    if not isinstance(body, list):
        raise ValueError(f"expected an array of productions, got {type(body).__name__}")
    benches: list[dict[str, Any]] = []
    for production in body:
        if isinstance(production, list):
            benches.extend(production)
        elif isinstance(production, dict):
            benches.append(production)
        else:
            raise ValueError("expected each production to be an array of benches")
    return benches


DATE_MOD = Cursor(field="date_mod", server_filter=_date_mod_since)
# A look's references are re-read when the look is new or its row was edited, when a picture
# of it moved since the last read and lists other references in its `looks` than those landed,
# or when it is not COMPLETED and a picture of it moved. The API has no date or count on looks;
# their references matter to the marts only through their pictures, which list them.
# --full-refresh reads them all (README, "Incremental looks").
CHANGED_LOOKS = Reread(
    version=("status", "name", "description", "folder_id"),
    settled={"status": ("COMPLETED",)},
    touched_by=Touch(
        resource="pictures",
        link="look_id",
        cursor="date_mod",
        members="looks",
        member_fields=("reference_id", "ref"),
    ),
    open_every_pass=False,
)

SOURCE = Source(
    name="grandshooting",
    scope_column="account_id",
    scope_type="BIGINT",
    resources=(
        Resource(
            "shooting_methods",
            "/shootingmethod",
            records.ShootingMethod,
            primary_key=("shooting_method_id",),
            paginator=SINGLE,
            description="Shooting methods (packshot, on-model...).",
        ),
        Resource(
            "benches",
            "/production",
            records.Bench,
            primary_key=("bench_id",),
            paginator=SINGLE,
            params={"archived": "true"},
            selector=_benches,
            description="Every bench of every production, archived ones included.",
        ),
        Resource(
            "specification_formats",
            "/specification/format",
            records.SpecificationFormat,
            primary_key=("format_id",),
            paginator=SINGLE,
            optional=True,
            description="Technical formats images must meet.",
        ),
        Resource(
            "specification_categories",
            "/specification/category",
            records.SpecificationCategory,
            primary_key=("category_id",),
            paginator=SINGLE,
            optional=True,
            description="Guidelines (API 3.3+): view types and formats per product category.",
        ),
        Resource(
            "looks",
            "/style/look",
            records.Look,
            primary_key=("look_id",),
            paginator=PAGES,
            description="Looks: groups of references shot together.",
        ),
        Resource(
            "look_references",
            "/style/look/{look_id}/reference",
            records.LookReference,
            primary_key=("look_id", "look_reference_id"),
            paginator=PAGES,
            parent="looks",
            inherit={"look_id": "look_id"},
            reread=CHANGED_LOOKS,
            description="References of each look.",
        ),
        Resource(
            "references",
            "/reference",
            records.Reference,
            primary_key=("reference_id",),
            paginator=PAGES,
            cursor=DATE_MOD,
            key_range=_by_key("reference_id"),
            description="Catalog references (products x colour).",
        ),
        Resource(
            "pictures",
            "/picture",
            records.Picture,
            primary_key=("picture_id",),
            paginator=PAGES,
            cursor=DATE_MOD,
            key_range=_by_key("picture_id"),
            description="Every picture on every bench (one copy per bench it went through).",
        ),
    ),
)


def runtime(config: Config) -> SourceRuntime:
    """Bind the declaration to `[sources.grandshooting]`: one extract per configured account."""
    settings = config.sources.grandshooting
    if settings is None:
        raise ConfigError("no [sources.grandshooting] section in the configuration")
    token = secret_from_env(
        settings.token_env, config=config, key="sources.grandshooting.token_env"
    )
    auth = BearerToken(token)
    accounts = settings.account_ids or [0]
    extracts = []
    for account in accounts:
        base_url = settings.account_base_urls.get(str(account), settings.base_url)
        # Delegation: the spec takes `account_id` as a query parameter; 0 = the key's own.
        params = (("account_id", str(account)),) if account else ()
        extracts.append(
            Extract(
                scope=str(account),
                base_url=base_url,
                auth=auth,
                params=params,
                secret_env=settings.token_env,
            )
        )
    return bind_runtime(
        SOURCE, extracts, settings, config, overlap=timedelta(days=settings.overlap_days)
    )
