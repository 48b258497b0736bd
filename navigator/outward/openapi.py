"""The OpenAPI 3.1 description of /api/v1, built as data so that tests can validate it."""

from __future__ import annotations

from typing import Any

from navigator.catalogue.vocab import DIRECTIONS, ENROLLMENT_KINDS, FORMATS, OVZ_CATEGORIES
from navigator.coverage.figures import COVERAGE_PARAMETERS as COVERAGE_TABLE
from navigator.search.parameters import MAX_QUERY_LENGTH, PARAMETERS


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _parameter(name: str, description: str, schema: dict, *, many: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description,
                 "schema": {"type": "array", "items": schema} if many else schema}
    if many:
        parameter.update(style="form", explode=True)
    return parameter


#: The search parameters, from the one table the request parser reads them with.
SEARCH_PARAMETERS = [parameter.openapi() for parameter in PARAMETERS.values()]

def _coverage_parameter(parameter) -> dict:
    """A coverage parameter: its codes, and for a vocabulary their Russian labels too (the API takes either)."""
    declared = parameter.openapi()
    if parameter.vocabulary:
        declared["schema"]["enum"] += [term.label for term in parameter.vocabulary.terms]
        declared["description"] += " Код или его название, как в словаре."
    return declared


#: The coverage parameters, from their table (navigator.coverage.figures).
COVERAGE_PARAMETERS = [_coverage_parameter(parameter) for parameter in COVERAGE_TABLE.values()]
_COUNTS = {name: {"type": "integer"} for name in (
    "programs", "organizations", "venues", "seats", "seats_free", "ovz_programs",
    *(f"programs_{code}" for code in DIRECTIONS.codes))}
_FIGURES = {**_COUNTS,
            **{name: _nullable("number", description="Процент программ (программа с несколькими способами "
                                                     "зачисления входит в каждую долю).")
               for name in ("share_free", "share_certificate", "share_paid")},
            "children_5_18": _nullable("integer", description="Дети 5–18 лет; см. population."),
            "children_estimate": _nullable("boolean", description="Численность детей — оценка."),
            "seats_per_1000": _nullable("number", description="Мест на 1 000 детей 5–18 лет; null — нет данных "
                                                              "или оценка ненадёжна (см. children_unreliable)."),
            "children_unreliable": _nullable("string", description="Почему оценка численности детей ненадёжна.")}
_CHILD_FIGURE = {"type": ["object", "null"], "properties": {
    "children_5_18": {"type": "integer"}, "year": {"type": "string"}, "estimate": {"type": "boolean"},
    "method": {"type": "string", "description": "Как получена оценка."}, "source": {"type": "string"}}}
_FILTER = {"type": "object", "properties": {"direction": _nullable("string"), "enrollment": _nullable("string")}}
_STATUS = {"enum": ["walk", "near", "far"], "description": "walk — до 1,5 км по прямой (около 20 минут пешком), "
           "near — до 5 км, far — дальше или программ нет."}
COVERAGE_SCHEMAS: dict[str, Any] = {
    "CoverageFigures": {"type": "object", "description": "Только действующие программы, после фильтра.",
                        "properties": _FIGURES},
    "MunicipalityCoverage": {"allOf": [{"$ref": "#/components/schemas/CoverageFigures"}, {
        "type": "object", "required": ["municipality", "programs"],
        "properties": {"municipality": {"type": "string"}}}]},
    "CoverageGap": {"type": "object", "properties": {
        "municipality": {"type": "string"}, "place": {"type": "string"}, "kind": {"type": "string"},
        "lat": {"type": "number"}, "lon": {"type": "number"}, "population": _nullable("integer"),
        **{f"nearest_km_{code}": _nullable("number", description="Расстояние по прямой; null — программ нет.")
           for code in DIRECTIONS.codes},
        **{f"status_{code}": _STATUS for code in DIRECTIONS.codes}}},
    "Coverage": {"type": "object", "required": ["municipalities", "region", "filter"], "properties": {
        "municipalities": {"type": "array", "description": "Все муниципалитеты, в том числе без программ.",
                           "items": {"$ref": "#/components/schemas/MunicipalityCoverage"}},
        "region": {"allOf": [{"$ref": "#/components/schemas/CoverageFigures"}, {"type": "object", "properties": {
            "name": {"type": "string"}, "population": _CHILD_FIGURE}}]},
        "filter": _FILTER,
        "population": {"type": "object", "additionalProperties": _CHILD_FIGURE,
                       "description": "Источник и способ оценки численности детей по муниципалитетам."},
        "gap_method": {"type": "string"}}},
    "MunicipalityCoverageDetail": {"type": "object", "required": ["municipality", "districts", "gaps"], "properties": {
        "municipality": {"allOf": [{"$ref": "#/components/schemas/MunicipalityCoverage"}, {
            "type": "object", "properties": {"population": _CHILD_FIGURE}}]},
        "districts": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/CoverageFigures"}, {
            "type": "object", "properties": {"district": {"type": "string"}}}]}},
        "gaps": {"type": "array", "items": {"$ref": "#/components/schemas/CoverageGap"}},
        "filter": _FILTER, "gap_method": {"type": "string"}}},
}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "message"],
        "properties": {"status": {"type": "integer"}, "message": {"type": "string"},
                       "parameter": {"type": "string"}}}}},
    "Venue": {"type": "object", "properties": {
        "address": {"type": "string"}, "municipality": {"type": "string"}, "district": _nullable("string"),
        "lat": _nullable("number"), "lon": _nullable("number"),
        "precision": {"enum": ["building", "street", "settlement", "municipality", "none"]}}},
    "OrganizationRef": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
    "ProgramSummary": {"type": "object", "required": ["id", "title", "direction", "age_min", "age_max", "url"],
                       "properties": {
        "id": {"type": "string", "description": "Постоянный код программы (program_id данных)."},
        "title": {"type": "string"}, "direction": {"enum": list(DIRECTIONS.codes)}, "profile": _nullable("string"),
        "age_min": {"type": "integer"}, "age_max": {"type": "integer"},
        "enrollment": {"type": "array", "items": {"enum": list(ENROLLMENT_KINDS.codes)}},
        "price_rub": _nullable("integer"), "seats_free": _nullable("integer"), "rating": _nullable("number"),
        "organization": {"$ref": "#/components/schemas/OrganizationRef"},
        "venue": {"$ref": "#/components/schemas/Venue"},
        "distance_km": _nullable("number", description="Только при near или place."),
        "url": {"type": "string", "description": "Страница программы на сайте."}}},
    "Organization": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "type": _nullable("string"),
        "phone": _nullable("string"), "email": _nullable("string"), "website": _nullable("string")}},
    "ProgramDetail": {"allOf": [{"$ref": "#/components/schemas/ProgramSummary"}, {"type": "object", "properties": {
        "description": {"type": "string"}, "status": {"enum": ["active", "archived"]},
        "format": {"enum": list(FORMATS.codes)},
        "ovz": {"type": "array", "items": {"enum": list(OVZ_CATEGORIES.codes)}},
        "seats_total": _nullable("integer"), "schedule": _nullable("string"), "duration": _nullable("string"),
        "teacher": _nullable("string"), "rating_count": _nullable("integer"), "program_url": _nullable("string"),
        "updated": {"type": "string", "format": "date"},
        "contact": {"$ref": "#/components/schemas/Contact"},
        "organization": {"$ref": "#/components/schemas/Organization"},
        "queue": {"$ref": "#/components/schemas/Queue"}}}]},
    "Contact": {"type": "object", "required": ["phone", "email", "website"],
                "description": "Как связаться по программе: её собственные телефон, почта и сайт, где они есть "
                               "(секция со своим телефоном), иначе — организации.",
                "properties": {"phone": _nullable("string"), "email": _nullable("string"),
                               "website": _nullable("string")}},
    "Queue": {"type": "object", "required": ["waiting", "places_free"], "description":
              "Очередь заявок на программу — только числа, без персональных данных.", "properties": {
        "waiting": {"type": "integer", "description": "Заявки, ждущие ответа организации или места (поданные, "
                    "рассматриваемые и в листе ожидания). Заявки, пришедшие сверх обычного темпа программы "
                    "(NAVIGATOR_ENROLLMENT_LIMIT_PROGRAM), учитываются, когда организация их откроет."},
        "places_free": _nullable("integer", description="Свободные места; null — организация их не указала.")}},
    "FacetCount": {"type": "object", "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
        "selected": {"type": "boolean"}}},
    "SearchResult": {"type": "object", "required": ["total", "page", "per_page", "items", "facets", "query"],
                     "properties": {
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ProgramSummary"}},
        "facets": {"type": "object", "description": "direction, enrollment, municipality, district, ovz, format: "
                   "каждая посчитана со всеми фильтрами, кроме своего.",
                   "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FacetCount"}}},
        "query": {"type": "object", "properties": {
            "searched_for": _nullable("string"), "corrected_from": _nullable("string"),
            "suggestion": _nullable("string"), "ignored_words": {"type": "array", "items": {"type": "string"}},
            "place": {"type": ["object", "null"], "description": "Где найдено место из place (null без place).",
                      "properties": {"label": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"},
                                     "precision": {"type": "string"}}},
            "advice": {"type": ["object", "null"],
                       "description": "Для пустого результата: фильтр, без которого найдётся больше всего программ.",
                       "properties": {"parameter": {"type": "string"}, "label": {"type": "string"},
                                      "total": {"type": "integer"}}}}}}},
    **COVERAGE_SCHEMAS,
    "Place": {"type": "object", "required": ["label", "lat", "lon", "precision"], "properties": {
        "label": {"type": "string", "description": "Как место понято, например «ул. Кирова, г. Новокузнецк»."},
        "lat": {"type": "number"}, "lon": {"type": "number"},
        "precision": {"enum": ["building", "street", "settlement", "municipality"]}}},
    "Term": {"type": "object", "properties": {"code": {"type": "string"}, "label": {"type": "string"}}},
    "Municipality": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "districts": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}}}}},
}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _errors(*statuses: int) -> dict:
    texts = {400: "Неверный параметр", 404: "Не найдено", 410: "Программа в архиве", 503: "Индекс недоступен"}
    return {str(status): _json("Error", texts[status]) for status in statuses}


#: A well-formed search value naming what the catalogue does not have: 404, as for an unknown program or place.
NOT_IN_CATALOGUE = {"404": _json("Error", "Муниципалитета, района, организации (municipality, district, organization) "
                                          "или места (place) с таким значением нет; parameter называет какой")}


def _id_parameter(description: str) -> dict:
    return {"name": "id", "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _list_of(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}}}}}


def _program_list(file_format: str, media_type: str) -> dict:
    return {"get": {
        "summary": f"Найденные программы файлом {file_format.upper()}", "operationId": f"list_programs_{file_format}",
        "description": "Те же параметры, что у /programs; в файле все найденные программы (не больше 20 000; "
                       "сколько нашлось — в заголовке X-Total-Count), page и per_page не действуют. Колонки — "
                       "формат импорта (docs/data.md): файл можно исправить и загрузить обратно. Текст, который "
                       "таблица приняла бы за формулу (= + - @ в начале), записан с апострофом (CSV) или "
                       "строковой ячейкой (XLSX).",
        "parameters": SEARCH_PARAMETERS,
        "responses": {"200": {"description": "Файл", "headers": {"X-Total-Count": {
            "description": "Сколько программ нашлось", "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}},
            **_errors(400, 503), **NOT_IN_CATALOGUE}}}


HSDS_SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _hsds_entity(name: str, required: list[str]) -> dict:
    return {"type": "object", "required": required, "properties": {key: {"type": "string"} for key in required},
            "description": f"Запись HSDS 3.0 «{name}»; полная схема: {HSDS_SCHEMA_URL}{name}.json"}


HSDS_SCHEMAS: dict[str, Any] = {
    "HsdsService": _hsds_entity("service", ["id", "name", "status"]),
    "HsdsOrganization": _hsds_entity("organization", ["id", "name", "description"]),
    "HsdsServiceAtLocation": _hsds_entity("service_at_location", ["id"]),
    "HsdsTaxonomy": _hsds_entity("taxonomy", ["id", "name", "description"]),
    "HsdsTaxonomyTerm": _hsds_entity("taxonomy_term", ["id", "name", "description"]),
    "HsdsPage": {"type": "object", "description": "Страница списка в форме профиля API HSDS 3.0.",
                 "required": ["total_items", "total_pages", "page_number", "size", "contents"], "properties": {
                     "total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
                     "page_number": {"type": "integer"}, "size": {"type": "integer"},
                     "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
                     "empty": {"type": "boolean"}, "contents": {"type": "array"}}},
}
_HSDS_PAGING = [_parameter("page", "Номер страницы (с 1).", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
                _parameter("per_page", "Записей на странице.", {"type": "integer", "minimum": 1, "maximum": 1000})]


def _hsds_flag(name: str, description: str) -> dict:
    return _parameter(name, description, {"type": "string", "enum": ["true", "false"]})


def _hsds_page(item: str, summary: str, extra: list[dict] | None = None) -> dict:
    schema = {"allOf": [{"$ref": "#/components/schemas/HsdsPage"}, {"type": "object", "properties": {
        "contents": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}}}]}
    return {"get": {
        "summary": summary, "operationId": "hsds_" + item.removeprefix("Hsds").lower() + "_page",
        "parameters": _HSDS_PAGING + (extra or []),
        "responses": {"200": {"description": summary, "content": {"application/json": {"schema": schema}}},
                      **_errors(400)}}}


def _hsds_one(item: str, summary: str, extra: list[dict] | None = None) -> dict:
    return {"get": {
        "summary": summary, "operationId": "hsds_get_" + item.removeprefix("Hsds").lower(),
        "parameters": [_id_parameter("Идентификатор HSDS (UUID)"), *(extra or [])],
        "responses": {"200": _json(item, summary), **_errors(*((400, 404) if extra else (404,)))}}}


def hsds_paths() -> dict[str, Any]:
    """The read-only HSDS 3.0 API (docs/hsds.md): served at /hsds/ (the HSDS profile's own root) and the same
    under /api/v1/hsds/, which is how this document lists it (one server for every path, so tools that
    take the document's server — schemathesis, code generators — reach it)."""
    full = _hsds_flag("full", "true — записи целиком, со всеми вложенными.")
    return {
        "/hsds/services": _hsds_page("HsdsService", "HSDS: услуги (программы)", [
            _parameter("organization_id", "Только услуги этой организации.", {"type": "string"}),
            _parameter("taxonomy_term_id", "Только с этим термином классификатора.", {"type": "string"}),
            _parameter("taxonomy_id", "Только с каким-либо термином этого классификатора.", {"type": "string"}),
            full]),
        "/hsds/services/{id}": _hsds_one("HsdsService", "HSDS: услуга со всеми вложенными записями"),
        "/hsds/organizations": _hsds_page("HsdsOrganization", "HSDS: организации", [full]),
        "/hsds/organizations/{id}": _hsds_one("HsdsOrganization", "HSDS: организация, её места и услуги", [
            _hsds_flag("full_service", "true — услуги целиком.")]),
        "/hsds/service_at_locations": _hsds_page("HsdsServiceAtLocation", "HSDS: услуги в местах", [full]),
        "/hsds/taxonomies": _hsds_page("HsdsTaxonomy", "HSDS: классификаторы"),
        "/hsds/taxonomies/{id}": _hsds_one("HsdsTaxonomy", "HSDS: классификатор"),
        "/hsds/taxonomy_terms": _hsds_page("HsdsTaxonomyTerm", "HSDS: термины классификаторов", [
            _parameter("taxonomy_id", "Только термины этого классификатора.", {"type": "string"})]),
        "/hsds/taxonomy_terms/{id}": _hsds_one("HsdsTaxonomyTerm", "HSDS: термин классификатора"),
    }


def openapi_document(server: str = "/api/v1") -> dict[str, Any]:
    """The document; `server` is where the API answers (absolute from NAVIGATOR_BASE_URL, or relative)."""
    vocabulary_paths = {
        f"/{name}": {"get": {"summary": summary, "operationId": f"list_{name.replace('-', '_')}",
                             "responses": {"200": _list_of("Term", summary)}}}
        for name, summary in (("directions", "Направленности"), ("enrollment-kinds", "Способы зачисления"),
                              ("ovz-categories", "Категории ОВЗ"), ("formats", "Форматы"),
                              ("organization-types", "Типы организаций"))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Навигатор дополнительного образования — API", "version": "1",
                 "description": "Поиск программ дополнительного образования детей. Те же параметры, что у "
                                "страницы поиска; ошибки — JSON с сообщением."},
        "servers": [{"url": server}],
        "paths": {
            "/programs": {"get": {"summary": "Поиск программ", "operationId": "search_programs",
                                  "parameters": SEARCH_PARAMETERS,
                                  "responses": {"200": _json("SearchResult", "Страница результатов"),
                                                **_errors(400, 503), **NOT_IN_CATALOGUE}}},
            "/programs.csv": _program_list("csv", "text/csv"),
            "/programs.xlsx": _program_list(
                "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "/programs/{id}": {"get": {"summary": "Программа", "operationId": "get_program",
                                       "parameters": [_id_parameter("Код программы")],
                                       "responses": {"200": _json("ProgramDetail", "Программа"),
                                                     **_errors(404, 410)}}},
            "/organizations/{id}": {"get": {"summary": "Организация и её действующие программы",
                                            "operationId": "get_organization",
                                            "parameters": [_id_parameter("Код организации")],
                                            "responses": {"200": {"description": "Организация", "content": {
                                                "application/json": {"schema": {"allOf": [
                                                    {"$ref": "#/components/schemas/Organization"},
                                                    {"type": "object", "properties": {"programs": {
                                                        "type": "array", "items": {
                                                            "$ref": "#/components/schemas/ProgramSummary"}}}}]}}}},
                                                **_errors(404)}}},
            "/places": {"get": {"summary": "Место по адресу или названию (как его понимает поле «Рядом со мной»)",
                                "operationId": "find_place",
                                "parameters": [{"name": "q", "in": "query", "required": True,
                                                "description": "Адрес или населённый пункт: «Новокузнецк, ул. Кирова, "
                                                               "71а», «ул Кирова 71а Новокузнецк», «Кедровка».",
                                                "schema": {"type": "string", "minLength": 1,
                                                           "maxLength": MAX_QUERY_LENGTH, "pattern": r"\S"}}],
                                "responses": {"200": _json("Place", "Найденное место"), **_errors(400, 404)}}},
            "/municipalities": {"get": {"summary": "Муниципалитеты и их районы", "operationId": "list_municipalities",
                                        "responses": {"200": _list_of("Municipality", "Муниципалитеты")}}},
            "/coverage": {"get": {"summary": "Охват: регион и все муниципалитеты", "operationId": "get_coverage",
                                  "parameters": COVERAGE_PARAMETERS,
                                  "responses": {"200": _json("Coverage", "Показатели"), **_errors(400)}}},
            "/coverage/{name}": {"get": {
                "summary": "Охват муниципалитета по районам; где нет программ рядом",
                "operationId": "get_municipality_coverage",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "Название муниципалитета"}, *COVERAGE_PARAMETERS],
                "responses": {"200": _json("MunicipalityCoverageDetail", "Показатели и расстояния до программ"),
                              **_errors(400, 404)}}},
            **vocabulary_paths,
            **hsds_paths(),
        },
        "components": {"schemas": {**SCHEMAS, **HSDS_SCHEMAS}},
    }
