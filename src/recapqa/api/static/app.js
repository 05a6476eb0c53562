// recapqa web chat: streams answers from POST /v1/chat (Server-Sent Events over fetch).
"use strict";

const state = { messages: [], talks: [], filter: null, busy: false };
const $ = (id) => document.getElementById(id);
const keyInput = $("api-key");
keyInput.value = localStorage.getItem("recapqa-key") || "";
keyInput.addEventListener("change", () => {
  localStorage.setItem("recapqa-key", keyInput.value);
  loadTalks();  // the talks (and the examples) the key now lets through
});

function headers() {
  const h = { "Content-Type": "application/json" };
  if (keyInput.value) h.Authorization = "Bearer " + keyInput.value;
  return h;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

async function loadTalks() {
  const list = $("talks");
  try {
    const res = await fetch("/v1/talks", { headers: headers() });
    if (res.status === 401) { list.replaceChildren(el("li", { class: "muted" }, "Enter the API key below.")); $("key-box").open = true; return; }
    const retry = Number(res.headers.get("Retry-After"));
    if (res.status === 503 && retry > 0) {  // the server is still loading its index: try again then
      const message = (await res.json()).error?.message || res.statusText;
      list.replaceChildren(el("li", { class: "muted" }, `${message}; trying again in ${retry} s`));
      setTimeout(loadTalks, retry * 1000);
      return;
    }
    if (!res.ok) throw new Error((await res.json()).error?.message || res.statusText);
    state.talks = await res.json();
    list.replaceChildren(...state.talks.map((t) => {
      const who = [t.company, t.speakers.map((s) => s.name).join(", ")].filter(Boolean).join(" · ");
      const item = el("li", { "data-talk": t.talk_id, title: `${t.source}:${t.start_line}-${t.end_line}` },
        el("span", { class: "title" }, t.title), el("span", { class: "who" }, who));
      item.addEventListener("click", () => setFilter(state.filter?.talk_id === t.talk_id ? null : t));
      return item;
    }));
    showExamples(state.talks.filter((t) => t.kind === "talk"));
  } catch (err) {
    list.replaceChildren(el("li", { class: "muted" }, "Could not load talks: " + err.message));
  }
}

// example questions about the talks being served (whatever the notes are)
function showExamples(talks) {
  const spoken = talks.find((t) => t.speakers.length && t !== talks[0]) || talks.find((t) => t.speakers.length);
  const questions = [
    ...(talks.length ? [`Summarize “${talks[0].title}”`] : []),
    ...(spoken ? [`Who gave “${spoken.title}”?`] : []),
    ...(talks.length > 1 ? ["What were the main themes of the conference?"] : []),
  ];
  $("examples")?.replaceChildren(...questions.map((q) => {
    const button = el("button", { class: "example", type: "button" }, q);
    button.addEventListener("click", () => ask(q));
    return button;
  }));
}

function setFilter(talk) {
  state.filter = talk;
  $("filter").hidden = !talk;
  $("filter-label").textContent = talk ? "Only: " + talk.title : "";
  for (const li of document.querySelectorAll("#talks li")) li.classList.toggle("active", talk && li.dataset.talk === talk.talk_id);
}
$("clear-filter").addEventListener("click", () => setFilter(null));

function addMessage(role, text) {
  $("empty")?.remove();
  const box = el("div", { class: `msg ${role}`, "data-testid": `msg-${role}` }, el("div", { class: "text" }, text));
  $("conversation").append(box);
  box.scrollIntoView({ block: "end" });
  return box;
}

function renderCitations(box, citations) {
  if (!citations.length) return;
  const list = el("div", { class: "citations", "data-testid": "citations" });
  citations.forEach((c, i) => {
    const speakers = c.speakers.length ? " — " + c.speakers.join(", ") : "";
    const lines = c.start_line === c.end_line ? c.start_line : `${c.start_line}-${c.end_line}`;
    list.append(el("details", { "data-testid": "citation" },
      el("summary", {}, `[${i + 1}] ${c.talk_title}${speakers}`),
      el("blockquote", { "data-testid": "quote" }, c.quote),
      el("div", { class: "where" }, `${c.source}, line ${lines}`)));
  });
  box.append(list);
}

function finish(box, answer) {
  if (answer.abstained) {
    box.classList.add("abstained");
    box.prepend(el("div", { class: "badge", "data-testid": "abstained" }, "Not covered by the notes"));
  }
  if (answer.fallback_reason) box.prepend(el("div", { class: "badge fallback" }, "LLM fallback: " + answer.fallback_reason));
  const ms = Math.round(answer.timings_ms?.total || 0);
  box.append(el("div", { class: "meta" }, `${answer.mode} · ${ms} ms`));
  const sources = answer.citations.map((c, i) => `[${i + 1}] ${c.talk_title} — ${c.speakers.join(", ")}`).join("\n");
  state.messages.push({ role: "assistant", content: answer.answer + (sources ? "\n\nSources:\n" + sources : "") });
}

function showError(box, error) {
  box.classList.add("error");
  box.querySelector(".text").textContent = error.message + (error.fix ? " — " + error.fix : "");
  state.messages.pop();  // the failed question is not history
  if (error.type === "UnauthorizedError") $("key-box").open = true;
}

async function ask(question) {
  if (state.busy || !question.trim()) return;
  state.busy = true;
  $("send").disabled = true;
  addMessage("user", question);
  state.messages.push({ role: "user", content: question });
  const box = addMessage("assistant", "");
  const text = box.querySelector(".text");
  box.setAttribute("aria-busy", "true");
  try {
    const body = { messages: state.messages, stream: true };
    if (state.filter) body.talk_id = state.filter.talk_id;
    const res = await fetch("/v1/chat", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (!res.ok) {
      const payload = await res.json().catch(() => ({}));
      showError(box, payload.error || { message: res.statusText });
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "", ended = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(raw)?.[1];
        const data = JSON.parse(/^data: (.*)$/m.exec(raw)?.[1] || "null");
        if (event === "delta") { text.textContent += data.text; box.scrollIntoView({ block: "end" }); }
        else if (event === "citations") renderCitations(box, data);
        else if (event === "done") { ended = true; finish(box, data); }
        else if (event === "error") { ended = true; showError(box, data.error); }
      }
    }
    if (!ended) {  // the connection closed before the answer was complete (a proxy's timeout, a restart)
      showError(box, { message: "The answer was cut off before it was complete", fix: "ask again" });
    }
  } catch (err) {
    showError(box, { message: "Connection lost: " + err.message });
  } finally {
    box.removeAttribute("aria-busy");
    box.dataset.done = "true";
    state.busy = false;
    $("send").disabled = false;
  }
}

$("ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (state.busy) return;  // a question typed while an answer comes stays in the box, for Enter once it is in
  const q = $("question").value;
  $("question").value = "";
  ask(q);
});
$("question").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("ask-form").requestSubmit(); }
});
loadTalks();
