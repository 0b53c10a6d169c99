"""openpyxl: a workbook with formulas, styles, number formats, merged cells, a chart and
a data validation; saved to .xlsx, read back (values and formulas)."""

import datetime

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

wb = Workbook()
ws = wb.active
ws.title = "Sales"
ws.append(["month", "units", "price", "total"])
for i, (units, price) in enumerate([(10, 2.5), (7, 3.0), (12, 2.25)], start=2):
    ws.append([datetime.date(2024, i - 1, 1), units, price, f"=B{i}*C{i}"])
ws["D5"] = "=SUM(D2:D4)"
for cell in ws[1]:
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDDDDD")
for row in ws.iter_rows(min_row=2, max_col=1):
    row[0].number_format = "yyyy-mm"
ws.merge_cells("A7:D7")
ws["A7"] = "merged note"
ws["A7"].alignment = Alignment(horizontal="center")
dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
ws.add_data_validation(dv)
dv.add("B2:B4")
chart = BarChart()
chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
ws.add_chart(chart, "F2")
ws.column_dimensions[get_column_letter(1)].width = 14
wb.properties.creator = "popular-stacks"
wb.save("sales.xlsx")
back = load_workbook("sales.xlsx")
sheet = back["Sales"]
print(back.sheetnames, sheet.dimensions, sheet.merged_cells.ranges)
for row in sheet.iter_rows(values_only=True):
    print(row)
print(sheet["A2"].number_format, sheet["A1"].font.b, len(sheet._charts), sheet.data_validations.dataValidation[0].sqref)
