"""The station's web page: headless Chromium (Selenium) at 1280x800 imports a disc (an ISO made by `create --iso --pdi`)
and publishes a study of the store to an ISO target, with the keyboard and the mouse, saving screenshots; a form posted
without its CSRF token is refused; the forms work without JavaScript (plain HTTP)."""
import html as html_text
import http.cookiejar
import json
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import CORPUS, ROOT, run
from test_station import assert_burned, start, stop, wait_job, wait_up, write_config

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SHOTS = ROOT / "Tests" / "interop" / "screenshots"


def chromedriver():
    path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not shutil.which("chromium") or not shutil.which(path):
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup.sh)")
    return path


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"]:
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service(chromedriver()), options=options)
    driver.set_window_size(1280, 800)
    yield driver
    driver.quit()


def shot(driver, tmp_path, name):
    """A screenshot into the test's folder and Tests/interop/screenshots/ (git-ignored)."""
    driver.save_screenshot(str(tmp_path / f"{name}.png"))
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.fixture
def station(tmp_path):
    (tmp_path / "drop").mkdir()
    (tmp_path / "out").mkdir()
    config, port = write_config(tmp_path, watch=[], locale="en_GB")
    proc = start(config)
    wait_up(proc, port)
    yield tmp_path, port
    stop(proc)


def medium_names(iso):
    """A patient's name, study description and study UID, as `list --json` reads them (the first study with a description)."""
    listing = json.loads(run("list", iso, "--json", check=True).stdout)
    for patient in listing["patients"]:
        for study in patient["studies"]:
            if study["studyDescription"]:
                return patient["patientName"], study["studyDescription"], study["studyInstanceUID"]
    raise AssertionError("no study with a description on the medium")


def wait_state(driver, job_url, state="done", timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        driver.get(job_url)
        text = driver.find_element(By.ID, "job-state").text
        if text in ("done", "failed", "cancelled"):
            assert text == state, driver.find_element(By.TAG_NAME, "main").text
            return
        time.sleep(0.5)
    raise AssertionError(f"{job_url} still {text}")


def job_page(driver, timeout=30):
    """The job's page the browser lands on after a start form (the navigation ends after the click returns)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if re.search(r"/jobs/\d+$", driver.current_url):
            return driver.current_url
        time.sleep(0.1)
    main = driver.find_elements(By.TAG_NAME, "main")
    raise AssertionError(f"no job page after the start: {driver.current_url}: {main[0].text if main else driver.page_source[:500]}")


def test_import_and_publish_in_the_browser(station, browser, tmp_path):
    root, port = station
    base = f"http://127.0.0.1:{port}"
    iso = root / "drop" / "disc.iso"
    run("create", "--iso", iso, "--pdi", CORPUS / "pydicom-3.0.2" / "test_files" / "CT_small.dcm", CORPUS / "clunie-charset-fileset", check=True)
    name, description, study = medium_names(iso)
    assert name and description

    # (a) Import: the source typed with the keyboard, the preview, a local Patient ID typed, started with Enter.
    browser.get(base + "/import")
    field = browser.find_element(By.ID, "source")
    field.send_keys(str(iso), Keys.ENTER)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "preview-title"))
    preview = browser.find_element(By.ID, "preview-title").find_element(By.XPATH, "..")
    assert name in preview.text and description in preview.text
    assert browser.find_elements(By.CSS_SELECTOR, "ul.series img"), "the series have thumbnails"
    shot(browser, tmp_path, "import-preview")
    browser.find_element(By.ID, "rec-local").click()
    browser.find_element(By.ID, "patientID").send_keys("LOCAL-4711")
    browser.find_element(By.ID, "patientName").send_keys("Local^Patient")
    browser.find_element(By.ID, "destination").send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.TAB)  # past the de-identify checkbox, to Start
    assert browser.switch_to.active_element.get_attribute("id") == "start"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    job_url = job_page(browser)
    assert "LOCAL-4711" in browser.find_element(By.ID, "request").text
    wait_state(browser, job_url)
    shot(browser, tmp_path, "import-done")
    with urllib.request.urlopen(base + "/api/studies") as r:  # the store holds the study under the chosen patient
        held = json.loads(r.read())["studies"]
    assert {(s["patientID"], s["patientName"]) for s in held if s["studyInstanceUID"] == study} == {("LOCAL-4711", "Local^Patient")}
    browser.get(base + "/jobs")
    assert "done" in browser.find_element(By.ID, "jobs").text
    shot(browser, tmp_path, "jobs")

    # (b) Publish: search the store by the name it holds for the study (the one chosen in (a)), with the mouse; tick
    # the study, an ISO target, start.
    with urllib.request.urlopen(base + "/api/studies") as r:
        stored = next(s for s in json.loads(r.read())["studies"] if s["studyInstanceUID"] == study)
    browser.get(base + "/publish")
    browser.find_element(By.ID, "patientName").send_keys(stored["patientName"].split("^")[0][:4])
    browser.find_element(By.ID, "search").click()
    WebDriverWait(browser, 30).until(lambda d: "search=1" in d.current_url and d.find_elements(By.ID, "studies"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#studies tbody tr")
    assert rows and description in browser.find_element(By.ID, "studies").text
    browser.find_element(By.CSS_SELECTOR, f"input[name=study][value='{study}']").click()
    browser.find_element(By.ID, "targetPath").send_keys(str(root / "out"))
    shot(browser, tmp_path, "publish-search")
    browser.find_element(By.ID, "start").click()
    job_url = job_page(browser)
    wait_state(browser, job_url)
    assert str(root / "out") in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, tmp_path, "publish-done")
    assert list((root / "out").glob("JOB*.iso"))


def test_forms_without_javascript_and_csrf(station):
    root, port = station
    base = f"http://127.0.0.1:{port}"
    shutil.copytree(CORPUS / "clunie-charset-fileset", root / "drop" / "disc")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/import?source=" + urllib.parse.quote(str(root / "drop" / "disc"))).read().decode()
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
    assert any(c.name == "dm_csrf" and c.value == token for c in jar)
    form = {"source": str(root / "drop" / "disc"), "reconcile": "none", "destination": "store"}

    # Without the token (and with a wrong one): 403 with a page saying why, and no job.
    for extra in [{}, {"csrf": "0" * 64}]:
        data = urllib.parse.urlencode({**form, **extra}).encode()
        with pytest.raises(urllib.error.HTTPError) as e:
            opener.open(urllib.request.Request(base + "/import", data=data))
        assert e.value.code == 403 and b"csrf-refused" in e.value.read()
    # Another site's form: no cookie is sent (SameSite=Strict), so even the right field is refused.
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(base + "/import", data=urllib.parse.urlencode({**form, "csrf": token}).encode()))
    assert e.value.code == 403
    with urllib.request.urlopen(base + "/api/jobs") as r:
        assert json.loads(r.read())["total"] == 0

    # With it: 303 to the job's page, which the plain HTML shows; the job runs to done.
    r = opener.open(urllib.request.Request(base + "/import", data=urllib.parse.urlencode({**form, "csrf": token}).encode()))
    assert re.search(r"/jobs/\d+$", r.geturl())
    job = int(r.geturl().rsplit("/", 1)[1])
    assert wait_job(port, job)["state"] == "done"
    html = opener.open(base + f"/jobs?state=done").read().decode()
    assert f'href="/jobs/{job}"' in html and "state-done" in html
    # The jobs list filters with a GET form and shows dates in the locale (en_GB: dd/mm/yyyy).
    assert re.search(r"\d\d/\d\d/\d{4}, \d\d:\d\d", html)
    # Retry of a done job is refused with the API's status; the page says why.
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(urllib.request.Request(base + f"/jobs/{job}/retry", data=urllib.parse.urlencode({"csrf": token}).encode()))
    assert e.value.code == 409 and b"job-state" in e.value.read()


def test_the_pages_look_up_a_pacs_and_a_worklist(tmp_path):
    """The publish page searches a PACS (Orthanc by C-FIND) and the import page a Modality Worklist (wlmscpfs); a
    worklist match picked on the page becomes the import job's patient."""
    from network_qr_util import start_wlmscpfs
    from network_util import Orthanc
    from network_util import stop as stop_process

    orthanc = Orthanc(tmp_path / "orthanc", extra={"DicomAlwaysAllowFind": True})
    wl, wl_node = start_wlmscpfs(tmp_path / "wl")
    try:
        req = urllib.request.Request(orthanc.url + "/instances", data=(CORPUS / "pydicom-3.0.2" / "test_files" / "CT_small.dcm").read_bytes())
        urllib.request.urlopen(req, timeout=60).read()
        shutil.copytree(CORPUS / "clunie-charset-fileset", tmp_path / "disc")
        wl_port = int(wl_node.rsplit(":", 1)[1])
        nodes = {"pacs": {"aeTitle": "ORTHANC", "host": "127.0.0.1", "port": orthanc.dicom_port}, "worklist": {"aeTitle": "WLMSCP", "host": "127.0.0.1", "port": wl_port}}
        config, port = write_config(tmp_path, nodes=nodes)
        proc = start(config)
        try:
            wait_up(proc, port)
            base = f"http://127.0.0.1:{port}"
            with urllib.request.urlopen(base + "/api/studies?from=pacs&patientName=Compressed") as r:
                studies = json.loads(r.read())["studies"]
            assert [s["studyDescription"] for s in studies] == ["e+1"] and studies[0]["modalities"] == "CT"
            with urllib.request.urlopen(base + "/api/worklist?node=worklist&patientName=Smith") as r:
                items = json.loads(r.read())["items"]
            assert sorted(i["patientID"] for i in items) == ["WL3", "WL4"]

            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            html = opener.open(base + "/publish?from=pacs&patientName=Compressed&search=1").read().decode()
            assert "e+1" in html and "CompressedSamples^CT1" in html
            source = urllib.parse.quote(str(tmp_path / "disc"))
            html = opener.open(base + f"/import?source={source}&worklist=worklist&wlName=Smith%5EJohn").read().decode()
            match = re.search(r'name="reconcile" value="(match\tWL3\t[^"]*)"', html.replace("&#9;", "\t"))
            assert match, html
            token = re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)
            form = {"csrf": token, "source": str(tmp_path / "disc"), "reconcile": match.group(1), "destination": "store"}
            r = opener.open(urllib.request.Request(base + "/import", data=urllib.parse.urlencode(form).encode()))
            page = html_text.unescape(r.read().decode())
            assert '"patientID" : "WL3"' in page and "Smith^John" in page, page
        finally:
            stop(proc)
    finally:
        stop_process(wl)
        orthanc.stop()


def test_the_jobs_page_updates_itself(station, browser, tmp_path):
    """The jobs page's script reads the jobs still queued or running again every 2 s: a job cancelled through the API
    shows as cancelled without a reload. (The job waits for a drive another job holds, so it stays queued until then.)"""
    import sqlite3

    root, port = station
    db = sqlite3.connect(root / "state" / "jobs.sqlite")
    with db:
        for state in ["running", "queued"]:
            db.execute("INSERT INTO job (kind, state, title, request, resource, created) VALUES ('publish', ?, ?, '{}', 'drive:/dev/sr9', ?)",
                       (state, f"Publish to the drive ({state})", "2026-12-05T14:03:00Z"))
    waiting = db.execute("SELECT id FROM job WHERE state = 'queued'").fetchone()[0]
    db.close()
    browser.get(f"http://127.0.0.1:{port}/jobs")
    cell = browser.find_element(By.CSS_SELECTOR, f"tr[data-job='{waiting}'] [data-field=state]")
    assert cell.text == "queued"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/jobs/{waiting}/cancel", data=b"", method="POST")
    urllib.request.urlopen(req).read()
    deadline = time.time() + 20
    while cell.text != "cancelled" and time.time() < deadline:
        time.sleep(0.2)
    assert cell.text == "cancelled"
    assert browser.find_element(By.CSS_SELECTOR, f"tr[data-job='{waiting}']").get_attribute("data-active") is None
    shot(browser, tmp_path, "jobs-live")


def test_a_and_b_with_orthanc_in_the_browser(browser, tmp_path):
    """Issue 13's (a) and (b) clicked through: a PDI ISO imported on the page, looked up in Orthanc's worklist when the
    job runs, sent to Orthanc and committed; then an Orthanc study found on the publish page (C-FIND), ticked and
    burned to the `stdio:` drive of a rule, verified after the burn."""
    from network_qr_util import OUR_AE, charset_pdi_iso, local_worklist, qr_orthanc
    from network_util import free_port

    iso = charset_pdi_iso(tmp_path)
    wl = local_worklist(tmp_path / "wl")
    commit_port = free_port()
    orthanc = qr_orthanc(tmp_path / "orthanc", commit_port, worklist=wl)
    disc = tmp_path / "disc.img"
    nodes = {"orthanc": {"aeTitle": "ORTHANC", "host": "127.0.0.1", "port": orthanc.dicom_port}}
    dicom = {"aeTitle": OUR_AE, "port": free_port(), "allow": ["ORTHANC"], "commitPort": commit_port}
    rules = [{"callingAE": "ORTHANC", "target": {"kind": "drive", "device": f"stdio:{disc}"}}]
    config, port = write_config(tmp_path, nodes=nodes, dicom=dicom, rules=rules, locale="en_GB")
    proc = start(config)
    try:
        wait_up(proc, port)
        base = f"http://127.0.0.1:{port}"
        # (a) The source typed, the preview read, "look each patient up in the worklist" and the commitment chosen
        # with the mouse, the destination with the keyboard, started.
        browser.get(base + "/import")
        browser.find_element(By.ID, "source").send_keys(str(iso), Keys.ENTER)
        WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "preview-title"))
        preview = browser.find_element(By.ID, "preview-title").find_element(By.XPATH, "..")
        assert "Äneas^Rüdiger" in preview.text and "Buc^Jérôme" in preview.text, preview.text
        browser.find_element(By.ID, "rec-worklist").click()
        browser.find_element(By.ID, "commit").click()
        browser.find_element(By.ID, "destination").send_keys("P")  # "PACS node orthanc"
        shot(browser, tmp_path, "a-import-orthanc")
        browser.find_element(By.ID, "start").click()
        job_url = job_page(browser)
        wait_state(browser, job_url)
        shot(browser, tmp_path, "a-import-orthanc-done")
        job = wait_job(port, int(job_url.rsplit("/", 1)[1]))
        assert {p["sourcePatientID"]: p["patientID"] for p in job["report"]["worklist"]["patients"]} == {
            "SCSGERM": "LOCAL-GERM", "SCSFREN": "LOCAL-FREN"}
        assert job["report"]["commit"]["committed"] == 2 and job["report"]["commit"]["failed"] == 0
        ids = {json.loads(orthanc.get(f"/patients/{p}"))["MainDicomTags"]["PatientID"] for p in json.loads(orthanc.get("/patients"))}
        assert ids == {"LOCAL-GERM", "LOCAL-FREN"}

        # (b) The PACS searched by the local Patient ID, the study ticked, the rule's drive chosen, with the mouse.
        browser.get(base + "/publish")
        Select(browser.find_element(By.ID, "from")).select_by_value("orthanc")
        browser.find_element(By.ID, "patientID").send_keys("LOCAL-GERM")
        browser.find_element(By.ID, "search").click()
        WebDriverWait(browser, 30).until(lambda d: "search=1" in d.current_url and d.find_elements(By.ID, "studies"))
        studies = browser.find_element(By.ID, "studies").text
        assert "Äneas^Rüdiger" in studies and "LOCAL-GERM" in studies, studies
        browser.find_element(By.CSS_SELECTOR, "input[name=study]").click()
        browser.find_element(By.ID, f"target-drive:stdio:{disc}").click()
        shot(browser, tmp_path, "b-publish-orthanc")
        browser.find_element(By.ID, "start").click()
        job_url = job_page(browser)
        wait_state(browser, job_url, timeout=180)
        assert "done" in browser.find_element(By.ID, "job-state").text
        shot(browser, tmp_path, "b-publish-orthanc-done")
        job = wait_job(port, int(job_url.rsplit("/", 1)[1]))
        assert_burned(job, disc, tmp_path)
    finally:
        stop(proc)
        orthanc.stop()
