"""Error pages: Russian pages in the site's layout for people, JSON for API clients (under /api/ and /hsds/)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from navigator.accounts.auth import CSRF_MESSAGE, as_anonymous

log = logging.getLogger(__name__)

#: What a person reads for each status: a title and what to do next.
MESSAGES = {
    400: ("Неверный запрос", "В адресе страницы есть значение, которое сайт не может понять."),
    404: ("Страница не найдена", "Такой страницы нет. Возможно, ссылка устарела или в адресе опечатка."),
    405: ("Действие недоступно", "Эта страница не принимает такой запрос."),
    410: ("Страница удалена", "Эта страница больше не существует."),
    413: ("Слишком большой запрос", "Файл или форма больше, чем сайт принимает. Разделите файл на части."),
    415: ("Неподдерживаемый формат", "Сайт принимает только данные своих форм."),
    429: ("Слишком много запросов", "Подождите немного и повторите."),
    500: ("Ошибка на сервере", "Что-то пошло не так на нашей стороне. Попробуйте обновить страницу позже."),
    503: ("Сервис временно недоступен", "Поиск сейчас недоступен. Попробуйте зайти через несколько минут."),
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/hsds/"))


def error_response(status: int, detail: str | None = None, parameter: str | None = None):
    """The error as the client expects it: JSON under /api/ and /hsds/ (with the parameter at fault, if any),
    otherwise the Russian page. The one builder of error answers, API and pages alike."""
    title, text = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if wants_json():
        error = {"status": status, "message": detail or title}
        if parameter:
            error["parameter"] = parameter
        return make_response(jsonify({"error": error}), status)
    return make_response(render_template("errors/error.html", status=status, title=title, text=text,
                                         detail=detail), status)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    custom = error.description if error.description != type(error).description else None
    response = error_response(error.code, custom)
    for name, value in error.get_headers():  # e.g. Allow on a 405, as RFC 9110 requires
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _csrf_refused(_error: CSRFError):
    return error_response(400, CSRF_MESSAGE)


def _database_unavailable(_error: DBAPIError):
    """The database restarting or unreachable: a clear 503 for now; the pool reconnects by itself."""
    log.warning("Database unavailable: %s", type(_error.orig).__name__ if _error.orig else _error)
    as_anonymous()  # the page's layout would otherwise load the signed-in account, fail again, and make a 500
    return error_response(503, "База данных временно недоступна. Обновите страницу через несколько секунд.")


def _unexpected_error(error: InternalServerError):
    return error_response(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(DBAPIError, _database_unavailable)
    app.register_error_handler(InternalServerError, _unexpected_error)
