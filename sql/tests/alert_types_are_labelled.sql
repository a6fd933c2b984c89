-- severity: warn
-- Every alert type the models raise has a name and a detail template in data/alert_types.csv
-- (without one the report shows the raw type and the model's message).
select distinct alerts.alert_type
from marts.guideline_alerts as alerts
anti join seeds.alert_types as alert_types
    on alert_types.alert_type = alerts.alert_type
