"""Reading bureaus' task breakdown spreadsheets (任务分解表) and progress ledgers (台账)."""
