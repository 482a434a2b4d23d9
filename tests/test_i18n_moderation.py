"""Moderator replies and the tax, worth-it and look-alike answers in Spanish and Portuguese, through the console
as a moderator would type them (`queuewatch console --lang ... --moderator`)."""

from __future__ import annotations

import pytest

from tests.cli_support import queuewatch
from tests.test_i18n_platforms import in_order

LINES = {
    "es": ("/report outlier drought", "/mod_reports", "/mod_hide 1 spam", "/mod_log", "/alerts_here on",
           "/digest_preview", "¿Vale la pena trabajar en Outlier?", "¿Tengo que pagar impuestos en uk?",
           "¿Es outlier-ai.net de Outlier?", "/digest_setup monday 25:00 UTC"),
    "pt_BR": ("/report outlier drought", "/mod_reports", "/mod_hide 1 spam", "/mod_log", "/alerts_here on",
              "/digest_preview", "Vale a pena trabalhar na Outlier?", "Preciso pagar impostos no uk?",
              "outlier-ai.net é da Outlier?", "/digest_setup monday 25:00 UTC"),
}
# What the replies must say, in order: titles, labels and sentences the catalogues translate.
EXPECTED = {
    "es": ("Reportes recientes de esta comunidad (1)", "confianza 0.25 (nuevo o contradicho a menudo)",
           "Nunca se nombra a quien reporta.", "Reporte #1 oculto", "Motivo: spam",
           "Registrado en /mod_log. Deshazlo con /mod_unhide 1.", "Registro de moderación",
           "ocultaste el reporte #1", "Alertas activadas", "Vista previa: solo tú puedes verla.",
           "Aún no hay horario:", "¿Vale la pena Outlier?", "Lo que las horas sin pagar hacen a la paga",
           "Solo se muestran datos con fuente", "Impuestos sobre ingresos de plataformas: United Kingdom",
           "Impuestos básicos: United Kingdom", "Desconocido: ",
           "Atención: outlier-ai.net no es una dirección de Outlier",
           "La verdadera Outlier", "no es una hora del día.", "Usa el formato de 24 horas HH:MM"),
    "pt_BR": ("Relatos recentes desta comunidade (1)", "confiança 0.25 (novo ou contradito com frequência)",
              "Quem relata nunca é nomeado.", "Relato #1 ocultado", "Motivo: spam",
              "Registrado no /mod_log. Desfaça com /mod_unhide 1.", "Registro de moderação",
              "você ocultou o relato #1", "Alertas ativados", "Prévia: só você pode ver isto.",
              "Ainda não há agendamento:", "A Outlier vale a pena?", "O que as horas não pagas fazem com o pagamento",
              "Só aparecem fatos com fonte", "Impostos sobre renda de plataformas: United Kingdom",
              "Noções de impostos: United Kingdom", "Desconhecido: ",
              "Atenção: outlier-ai.net não é um endereço da Outlier", "A verdadeira Outlier",
              "não é um horário do dia.", "Use o formato de 24 horas HH:MM"),
}
# English sentences of these replies that must not show in a translated console.
ENGLISH = ("Recent reports from this community", "Reporters are never named", "Logged in /mod_log",
           "Moderation log", "Alerts on", "Preview: only you can see this", "What unpaid hours do to the pay",
           "Tax on platform income", "is not a time of day", "The real Outlier")


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
def test_moderator_and_topic_replies_speak_the_consoles_language(tmp_path, locale) -> None:
    result = queuewatch("console", "--lang", locale, "--moderator", cwd=tmp_path,
                        stdin="\n".join(LINES[locale]) + "\n", DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    in_order(result.stdout, EXPECTED[locale])
    leftovers = [sentence for sentence in ENGLISH if sentence in result.stdout]
    assert not leftovers, leftovers


def test_the_same_moderator_replies_stay_english_without_a_language(tmp_path) -> None:
    result = queuewatch("console", "--moderator", cwd=tmp_path, stdin="\n".join(LINES["es"][:4]) + "\n",
                        DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 0, result.stderr
    in_order(result.stdout, ("Recent reports from this community (1)", "trust 0.25 (new or often contradicted)",
                             "Report #1 hidden", "Reason: spam", "Logged in /mod_log. Undo with /mod_unhide 1.",
                             "Moderation log (newest 1)", "you hid report #1"))
