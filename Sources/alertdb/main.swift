import AlertDB
