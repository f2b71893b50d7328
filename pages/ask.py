"""Ask: a question in plain language → a report. Quick answers run here; deep ones run as a background job
(RQ worker with Redis, else a local thread) with live progress. History re-opens or re-asks. Examples come
from the tenant's own data (ui.examples), so the first click is answered with names it recognises."""

import streamlit as st

from ecomintel.ask.service import ask
from ecomintel.ask.tasks import make_governed_llm, run_ask_job
from ecomintel.cache import make_cache
from ecomintel.jobs import make_runner
from ecomintel.permissions import allowed
from ui import errors, examples, report, state, widgets

repo, settings = state.repo(), state.settings()
runner = make_runner(settings)
st.title("Ask")
can_ask = allowed(state.role(), "ask")  # viewers read the history below; the core refuses their questions too
queue = state.queue_question  # the callback of every way to ask: the next run answers it
example_questions, no_examples = [], ""
with errors.guarded("reading the tenant's data for examples", request_id=repo.ctx.request_id):
    example_questions, no_examples = examples.tenant_examples(repo)

if can_ask:
    with st.form("ask_form"):
        st.text_input("Your question", key="ask_question", max_chars=500,
                      placeholder=(example_questions or ["top 10 products by revenue last month"])[0])
        deep = st.toggle("Deep analysis", key="ask_deep", help="More agents and heavier analyses, run as a "
                         f"background job on {'the RQ workers' if settings.redis_url else 'a local thread'}.")
        if st.form_submit_button("Ask", type="primary", icon=":material/send:"):
            st.session_state["ask_pending"] = (st.session_state.get("ask_question", ""), "deep" if deep else "quick")
else:  # a viewer: no input to type into; the core refuses a question reached anyway
    st.info("Your role (viewer) reads reports and the history below; asking questions needs the analyst role.",
            icon=":material/visibility:")
if not can_ask:
    pass  # example buttons ask questions
elif not example_questions:
    st.info(no_examples or "Upload sales lines first.", icon=":material/upload_file:")
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
elif st.session_state.get("result_ask_report") or st.session_state.get("ask_pending"):
    with st.expander("Example questions", icon=":material/lightbulb:"):
        widgets.question_buttons(example_questions, key="ask_example", on_click=queue)
else:
    st.caption("Examples from your data:")
    widgets.question_buttons(example_questions, key="ask_example", on_click=queue)

pending = st.session_state.pop("ask_pending", None)
if pending:
    question, mode = pending
    with errors.guarded("answering the question", request_id=repo.ctx.request_id):
        if mode == "deep":
            st.session_state["result_ask_job"] = runner.submit(
                run_ask_job, tenant_id=repo.tenant_id, user_id=repo.ctx.user_id, question=question,
                mode="deep", role=repo.ctx.role)
        else:
            slot = st.empty()
            st.session_state["result_ask_report"] = ask(
                question, repo=repo, settings=settings, mode="quick", cache=make_cache(settings, repo=repo),
                llm=make_governed_llm(settings, repo), progress=widgets.progress_bar("Thinking…", slot))
            slot.empty()


@st.fragment(run_every=1.0)
def watch_job(job_id: str) -> None:
    """Live progress of a deep question; when it ends, the whole page reruns to show the report."""
    with errors.guarded("following the background job", request_id=repo.ctx.request_id):
        status = runner.status(job_id)
        st.progress(status.progress, text=f"Deep analysis ({status.state}): {status.message}")
        st.caption(" → ".join(message for _, message in status.steps[-6:]))
        if status.done:
            del st.session_state["result_ask_job"]
            if status.state == "finished":
                st.session_state["result_ask_report"] = status.result
            else:
                st.session_state["ask_job_error"] = status.error or "The background job failed."
            st.rerun()


if st.session_state.get("result_ask_job"):
    watch_job(st.session_state["result_ask_job"])
if st.session_state.get("ask_job_error"):
    st.error(st.session_state.pop("ask_job_error"))
if st.session_state.get("result_ask_report"):
    with errors.guarded("showing the report", request_id=repo.ctx.request_id):
        report.draw_report(st.session_state["result_ask_report"], key="report", ask_again=queue,
                           currency=repo.sales_currency())

with st.expander("History of this tenant's questions", icon=":material/history:"):
    report.history(repo, ask_again=queue)
