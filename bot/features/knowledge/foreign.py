"""Spanish and Portuguese questions read by the English intent rules: their key words and phrases rewritten.

The router's rules (intents.py) are written over English words. A question in Spanish or Portuguese is rewritten
phrase by phrase into the English words those rules look for ("¿cuánto paga Outlier por hora?" reads "how much
pay Outlier per hour?"), and then routed as usual. Platform names, web addresses and anything not in the tables
are kept as they are. It is not a translator: only what decides an intent has to come through.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Phrases first (longest first within a table is not needed: the patterns run in order), then single words.
# Each entry: a regular expression over the lower-cased text without accents, and its English words.
SPANISH: tuple[tuple[str, str], ...] = (
    (r"es (una |un )?(estafa|fraude|timo|scam)", "is a scam"),
    (r"(es|son) (legitim[oa]s?|legit|confiables?|fiables?|seguros?|segura|reales?|de confianza|serios?|seria)",
     "is legit"),
    (r"(me|nos|te) (estafaron|estafo|timaron)", "scammed me"),
    (r"(como|para) (detectar|reconocer|saber si es|identificar) (una )?(estafa|fraude)s?", "how to spot a scam"),
    (r"senales de (una )?(estafa|fraude)", "warning signs of a scam"),
    (r"cada cuanto( tiempo)?|con que frecuencia", "how often"),
    (r"cuanto (tiempo )?(tarda|tardan|demora|demoran)( en)?", "how long"),
    (r"(ya hay|ya salen|vuelven a salir|volvieron|regresaron|han vuelto) (las )?(tareas?|trabajo|proyectos?)|"
     r"(tareas?|trabajo) (volvieron|regresaron|han vuelto|ya volvio)", "tasks are back"),
    (r"cuanto (se )?(paga|pagan|pago|gana|ganan|ganas|se gana|dan)", "how much pay"),
    (r"cuanto (cobra|cobran|cobras)", "how much pay"),
    (r"cuanto", "how much"),
    (r"(cuando|que dia|que dias) (me |nos |te )?(paga|pagan|pagara|deposita|depositan)", "when does pay"),
    (r"(cuando|que dia) (se )?(cobra|cobro|cobramos|cobran|recibo el pago|llega el pago)", "when do i get paid"),
    (r"(como|de que forma) (me |nos |te )?(paga|pagan)", "how does pay"),
    (r"(como|donde) (se )?(cobra|cobro|cobrar|cobramos|retiro|retirar|saco|sacar)"
     r"( (el |mi |los |mis )?(dinero|pago|plata|ganancias))?", "how do i get paid"),
    (r"(metodos?|formas?|medios?) de pago", "payment method"),
    (r"por hora|la hora|a la hora", "per hour"),
    (r"por tarea", "per task"),
    (r"a tiempo|puntual(mente)?", "on time"),
    (r"con retraso|atrasad[oa]s?|tarde", "late"),
    (r"no (me )?(han |ha )?(pagado|llegado|llega)( el pago)?|no he recibido|nunca (me )?(pagaron|pago)",
     "have not received"),
    (r"no hay (nada de )?(tareas?|trabajo|proyectos?)|sin (tareas?|trabajo|proyectos?)|cero tareas|"
     r"ninguna tarea|no tengo (tareas?|trabajo)|no me (salen|aparecen) tareas", "no tasks"),
    (r"(hay|tienen|tenes|tienes|teneis|alguien tiene|salen|aparecen) (tareas?|trabajo|proyectos?)",
     "are there tasks"),
    (r"solo a mi|solo yo|solo me pasa a mi|soy el unico|soy la unica", "just me"),
    (r"alguien mas", "anyone else"),
    (r"(estah|estahn|esta|estan|anda|va) (sec[oa]|muert[oa]|vaci[oa]|parad[oa]|lent[oa])", "is dry"),
    (r"(esta|esto|eso) es (una )?(estafa|fraude)", "is this a scam"),
    (r"(cola|fila) (vacia|muerta)", "queue empty"),
    (r"sequia", "drought"),
    (r"tareas", "tasks"), (r"tarea", "task"), (r"cola", "queue"), (r"vaci[oa]", "empty"),
    (r"estafas?|fraudes?|timos?", "scam"), (r"legitim[oa]s?|confiables?|fiables?", "legit"),
    (r"pagos", "payments"), (r"pago", "payment"), (r"pagan|paga|pagar|pagaron", "pay"),
    (r"cobrar|cobro|cobran|cobra", "get paid"),
    (r"ganar|ganan|gana|ganancias", "earn"), (r"sueldo|salario", "salary"), (r"tarifas?", "rate"),
    (r"semanal(mente)?|cada semana", "weekly"), (r"mensual(mente)?|cada mes", "monthly"),
    (r"transferencia( bancaria)?", "bank transfer"), (r"banco", "bank"), (r"retir(ar|o)", "withdraw"),
    (r"dolares", "dollars"), (r"euros", "euros"), (r"moneda", "currency"),
    (r"hoy", "today"), (r"ahora( mismo)?|ahorita", "right now"), (r"esta semana", "this week"),
    (r"alguien", "anyone"), (r"trabajo", "work"), (r"proyectos?", "projects"),
    (r"reino unido", "united kingdom"), (r"estados unidos|eeuu|ee uu", "united states"),
    (r"espana", "spain"), (r"alemania", "germany"), (r"brasil", "brazil"), (r"mexico", "mexico"),
    (r"que tal|como va|como estah|como esta|como anda", "how is"),
    (r"reclutador(a)?|reclutadores|recruiter", "recruiter"), (r"deposit(a|ar|e|en)|depositos?", "deposit"),
    (r"comision(es)?", "commissions"), (r"(activar|desbloquear) (tu |la )?cuenta", "unlock your account"),
    (r"cuota( de (registro|inscripcion|activacion))?|pago de (registro|inscripcion)", "registration fee"),
    (r"impuestos?|hacienda|sat|declarar", "tax"), (r"vale la pena|conviene|merece la pena", "worth it"),
    (r"estado", "status"), (r"de|del", "of"), (r"en", "on"), (r"es", "is"), (r"estah|estahn", "is"),
)
PORTUGUESE: tuple[tuple[str, str], ...] = (
    (r"(e|eh) (um |uma )?(golpe|fraude|piramide|scam)", "is a scam"),
    (r"(e|eh|sao) (confiave(l|is)|legitim[oa]s?|legit|segur[oa]s?|de confianca|real|reais|serio|seria|"
     r"verdadeir[oa])", "is legit"),
    (r"(cai|caimos|caiu) (em|num|no) golpe|me (enganaram|aplicaram um golpe)", "scammed me"),
    (r"como (identificar|reconhecer|saber se e|detectar|evitar) (um |uma )?(golpe|fraude)s?", "how to spot a scam"),
    (r"sinais de (um )?(golpe|fraude)", "warning signs of a scam"),
    (r"de quanto em quanto tempo|com que frequencia|a cada quanto tempo", "how often"),
    (r"quanto tempo (demora|leva)", "how long"),
    (r"(voltaram|voltou|chegaram) (as )?(tarefas?|trabalho|projetos?)|(tarefas?|trabalho) (voltaram|voltou)|"
     r"(tarefas?|trabalho) de volta", "tasks are back"),
    (r"quanto (a |o )?([\w.-]+) (paga|pagam)", r"how much \2 pay"),
    (r"quanto (se )?(paga|pagam|ganha|ganham|ganho|da|rende)", "how much pay"),
    (r"quanto", "how much"),
    (r"(quando|que dia|qual dia) (a |o )?([\w.-]+ )?(paga|pagam|deposita|depositam|cai o pagamento)",
     r"when does \3pay"),
    (r"(quando|que dia) (eu )?(recebo|recebe|recebemos|cai o dinheiro|caem os pagamentos)", "when do i get paid"),
    (r"como (a |o )?([\w.-]+ )?(paga|pagam)", r"how does \2pay"),
    (r"como (eu )?(recebo|recebe|receber|saco|sacar|retiro|retirar)( o| meu| os| meus)?( dinheiro| pagamento)?",
     "how do i get paid"),
    (r"(formas?|metodos?|meios?) de pagamento", "payment method"),
    (r"por hora|a hora|cada hora", "per hour"),
    (r"por tarefa", "per task"),
    (r"no prazo|em dia|pontual(mente)?|certinho", "on time"),
    (r"atrasad[oa]s?|atrasou|atrasando|com atraso", "late"),
    (r"nao (me )?(pagou|pagaram|recebi|caiu|chegou)|nunca (me )?(pagou|pagaram|recebi)", "have not received"),
    (r"sem (tarefas?|trabalho|projetos?)|nenhuma tarefa|zero tarefas?|nao (tem|ha|aparece|aparecem) "
     r"(nenhuma )?(tarefas?|trabalho|projetos?)|nada de (tarefas?|trabalho)", "no tasks"),
    (r"(tem|ha|alguem tem|alguem com|aparecendo|apareceu|aparecem|tendo) (tarefas?|trabalho|projetos?)",
     "are there tasks"),
    (r"so (eu|comigo)|so pra mim|so para mim", "just me"),
    (r"mais alguem", "anyone else"),
    (r"(estah|tah|esta|ta|anda|tao|estao) (sec[oa]|mort[oa]|vazi[oa]|parad[oa]|fraco|fraca|devagar)", "is dry"),
    (r"(isso|isto|essa mensagem|esta mensagem) (e|eh) (um |uma )?(golpe|fraude)", "is this a scam"),
    (r"fila (vazia|parada|morta)", "queue empty"),
    (r"seca", "drought"),
    (r"tarefas", "tasks"), (r"tarefa", "task"), (r"fila", "queue"), (r"vazi[oa]", "empty"),
    (r"golpes?|fraudes?", "scam"), (r"confiave(l|is)|legitim[oa]s?", "legit"),
    (r"pagamentos", "payments"), (r"pagamento", "payment"), (r"pagam|paga|pagar|pagaram|pagou", "pay"),
    (r"receber|recebo|recebi|recebeu|recebem", "get paid"),
    (r"ganhar|ganham|ganha|ganhos", "earn"), (r"salario", "salary"), (r"valor(es)?|taxa", "rate"),
    (r"semanal(mente)?|toda semana|por semana", "weekly"), (r"mensal(mente)?|todo mes|por mes", "monthly"),
    (r"transferencia( bancaria)?|pix|ted", "bank transfer"), (r"banco", "bank"), (r"sac(ar|o|ue)", "withdraw"),
    (r"dolares|dolar", "dollars"), (r"euros", "euros"), (r"moeda", "currency"),
    (r"hoje", "today"), (r"agora", "right now"), (r"essa semana|esta semana", "this week"),
    (r"alguem", "anyone"), (r"trabalho", "work"), (r"projetos?", "projects"),
    (r"reino unido", "united kingdom"), (r"estados unidos|eua", "united states"),
    (r"brasil", "brazil"), (r"alemanha", "germany"), (r"espanha", "spain"), (r"mexico", "mexico"),
    (r"empresa seria|empresa confiavel|empresa de verdade", "legit company"),
    (r"como (estah|tah|esta|ta|anda)", "how is"),
    (r"recrutador(a)?|recrutadores", "recruiter"), (r"deposit(e|ar|a|am)|depositos?", "deposit"),
    (r"comiss(ao|oes)", "commissions"), (r"(ativar|desbloquear) (a |sua )?conta", "unlock your account"),
    (r"taxa (de )?(cadastro|inscricao|ativacao|adesao)", "registration fee"),
    (r"impostos?|imposto de renda|receita federal|declarar", "tax"), (r"vale a pena|compensa", "worth it"),
    (r"status|situacao", "status"), (r"da|do|das|dos|de", "of"), (r"na|no|nas|nos|em", "on"),
    (r"pra|para", "for"), (r"eh|estah|tah", "is"),
)
TABLES = {"es": SPANISH, "pt_BR": PORTUGUESE}
# Accented words whose plain form means something else ("é" is, "e" and; "está" is, "esta" this).
MARKED = {"es": {"está": "estah", "están": "estahn"}, "pt_BR": {"é": "eh", "está": "estah", "tá": "tah"}}
# The language names language_of() gives, as locales.
LOCALE_OF = {"Spanish": "es", "Portuguese": "pt_BR"}
FILLER = {"is", "of", "on", "for"}  # little words both languages share: they tell neither apart
_WORD = re.compile(r"[\w.$€£'-]+|[^\w\s]", re.UNICODE)


def plain(text: str) -> str:
    """Lower case without accents or ¿¡ ("¿Cuánto?" -> "cuanto?"), the form the tables are written in."""
    decomposed = unicodedata.normalize("NFKD", text.replace("¿", " ").replace("¡", " "))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@cache
def _compiled(locale: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"(?<![\w.-])(?:{pattern})(?![\w-])"), english) for pattern, english in TABLES[locale])


def to_english(text: str, locale: str, keep: frozenset[str] = frozenset()) -> str:
    """The question with its Spanish or Portuguese key phrases in the English words the rules read.

    Words in `keep` (platform names and aliases, lower case) are never rewritten, nor is a word written in
    capitals ("DA" is DataAnnotation, "da" is Portuguese for "of the")."""
    original = text.strip()
    protected: dict[str, str] = {}

    def shelter(match: re.Match[str]) -> str:
        word = match.group()
        if (word.lower() in keep and (len(word) > 3 or word.isupper())) or "." in word.strip(".") or "/" in word:
            marker = f"qqkeep{len(protected)}qq"
            protected[marker] = word
            return marker
        return word

    sheltered = re.sub(r"[\w./:-]+", shelter, original)
    for accented, marker in MARKED[locale].items():
        sheltered = re.sub(rf"(?<!\w){accented}(?!\w)", marker, sheltered, flags=re.IGNORECASE)
    result = plain(sheltered)

    def put(match: re.Match[str], english: str) -> str:
        """The English words, sheltered too, so a later (shorter) phrase never rewrites them again."""
        marker = f"qqkeep{len(protected)}qq"
        protected[marker] = match.expand(english)
        return marker

    for pattern, english in _compiled(locale):
        result = pattern.sub(lambda match, english=english: put(match, english), result)
    for marker, word in reversed(protected.items()):  # the English may hold a sheltered platform name
        result = result.replace(marker, word)
    question = original.startswith("¿") or original.endswith("?")
    return result.strip() + ("?" if question and not result.rstrip().endswith("?") else "")


def hits(text: str, locale: str) -> int:
    """How many of a language's key phrases a text has (to tell a short Spanish question from a Portuguese one)."""
    lowered = plain(text)
    return sum(1 for pattern, english in _compiled(locale) if english not in FILLER and pattern.search(lowered))
